// Node's own test runner (`npm run test:cli`): the deploy planner is plain Node, never workerd.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  configuredId,
  parseD1CreateId,
  parseD1List,
  parseKvCreateId,
  parseKvList,
  parseBucketNames,
  parseQueueNames,
  parseSecretNames,
  pendingSteps,
  planDeploy,
  planSecrets,
  requiredBuckets,
  requiredQueues,
  setBindingId,
} from '../../src/cli/deploy-plan.mjs';

const TOML = readFileSync(new URL('../../wrangler.toml', import.meta.url), 'utf8');
const DB_ID = '7c1e1f3a-52b4-4a8e-9d0f-0c2b6a1e9f11';
const KV_ID = '0f2b4c6d8e0a1b3c5d7e9f1a3b5c7d9e';

// Output as wrangler 4 prints it (ids made up).
const D1_CREATE = `
 ⛅️ wrangler 4.164.0
───────────────────
✅ Successfully created DB 'polyrelay' in region WEUR
Created your new D1 database.

To access your new D1 Database in your Worker, add the following snippet to your configuration file:
{
  "d1_databases": [
    {
      "binding": "polyrelay",
      "database_name": "polyrelay",
      "database_id": "${DB_ID}"
    }
  ]
}`;
const D1_CREATE_TOML = `[[d1_databases]]\nbinding = "DB"\ndatabase_name = "polyrelay"\ndatabase_id = "${DB_ID}"\n`;
const KV_CREATE = `
 ⛅️ wrangler 4.164.0
───────────────────
Resource location: remote
🌀 Creating namespace with title "polyrelay-tasks"
✨ Success!
To access your new KV Namespace in your Worker, add the following snippet to your configuration file:
{
  "kv_namespaces": [
    {
      "binding": "polyrelay_tasks",
      "id": "${KV_ID}"
    }
  ]
}`;
const D1_LIST = `[{"uuid":"${DB_ID}","name":"polyrelay","created_at":"2026-12-01T10:00:00.000Z","version":"production","num_tables":9,"file_size":122880}]`;
const KV_LIST = `[\n  {\n    "id": "${KV_ID}",\n    "title": "polyrelay-tasks",\n    "supports_url_encoding": true\n  }\n]`;
const QUEUES_LIST = `
 ⛅️ wrangler 4.164.0
───────────────────
┌──────────────────────────────────┬──────────────────────┬─────────────────────────────┬─────────────────────────────┬───────────┬───────────┐
│ id                               │ name                 │ created_on                  │ modified_on                 │ producers │ consumers │
├──────────────────────────────────┼──────────────────────┼─────────────────────────────┼─────────────────────────────┼───────────┼───────────┤
│ 1b0f7e0f61c74a4f9d5d2a1e6f7a9b10 │ polyrelay-usage      │ 2026-12-01T10:00:00.000000Z │ 2026-12-01T10:00:00.000000Z │ 1         │ 1         │
├──────────────────────────────────┼──────────────────────┼─────────────────────────────┼─────────────────────────────┼───────────┼───────────┤
│ 2c1f7e0f61c74a4f9d5d2a1e6f7a9b11 │ polyrelay-usage-dlq  │ 2026-12-01T10:00:00.000000Z │ 2026-12-01T10:00:00.000000Z │ 0         │ 1         │
└──────────────────────────────────┴──────────────────────┴─────────────────────────────┴─────────────────────────────┴───────────┴───────────┘`;
const SECRETS_LIST = `[\n  {\n    "name": "ADMIN_TOKEN",\n    "type": "secret_text"\n  },\n  {\n    "name": "ENCRYPTION_KEY",\n    "type": "secret_text"\n  }\n]`;

describe('parsing wrangler output', () => {
  it('reads the new ids from d1 create (JSON and TOML snippets) and kv namespace create', () => {
    assert.equal(parseD1CreateId(D1_CREATE), DB_ID);
    assert.equal(parseD1CreateId(D1_CREATE_TOML), DB_ID);
    assert.equal(parseKvCreateId(KV_CREATE), KV_ID);
    assert.equal(parseKvCreateId(`[[kv_namespaces]]\nbinding = "TASKS"\nid = "${KV_ID}"`), KV_ID);
    assert.equal(parseD1CreateId('✘ [ERROR] A request to the Cloudflare API failed.'), null);
  });

  it('reads the lists: D1 and KV JSON after a banner, queue names as whole table cells, secret names', () => {
    assert.deepEqual(parseD1List(` ⛅️ wrangler 4\n${D1_LIST}`), [{ name: 'polyrelay', uuid: DB_ID }]);
    assert.deepEqual(parseKvList(KV_LIST), [{ id: KV_ID, title: 'polyrelay-tasks' }]);
    // polyrelay-usage exists; polyrelay-images does not, though "polyrelay-usage-dlq" shares a prefix with the first.
    assert.deepEqual([...parseQueueNames(QUEUES_LIST, ['polyrelay-usage', 'polyrelay-images', 'polyrelay-usage-dlq', 'polyrelay-images-dlq'])], ['polyrelay-usage', 'polyrelay-usage-dlq']);
    assert.deepEqual([...parseSecretNames(SECRETS_LIST)], ['ADMIN_TOKEN', 'ENCRYPTION_KEY']);
    assert.deepEqual([...parseSecretNames('[]')], []);
  });
});

describe('wrangler.toml', () => {
  it('sees the placeholders as unset, and writes one binding id without touching anything else', () => {
    assert.equal(configuredId(TOML, '[[d1_databases]]', 'DB', 'database_id'), null);
    assert.equal(configuredId(TOML, '[[kv_namespaces]]', 'TASKS', 'id'), null);
    const written = setBindingId(setBindingId(TOML, '[[d1_databases]]', 'DB', 'database_id', DB_ID), '[[kv_namespaces]]', 'TASKS', 'id', KV_ID);
    assert.equal(configuredId(written, '[[d1_databases]]', 'DB', 'database_id'), DB_ID);
    assert.equal(configuredId(written, '[[kv_namespaces]]', 'TASKS', 'id'), KV_ID);
    const changed = written.split('\n').filter((line, index) => line !== TOML.split('\n')[index]);
    assert.deepEqual(changed, [`database_id = "${DB_ID}"`, `id = "${KV_ID}"`]);
  });

  it('names every queue: producers, consumers and dead-letter queues', () => {
    assert.deepEqual(requiredQueues(TOML).sort(), ['polyrelay-images', 'polyrelay-images-dlq', 'polyrelay-usage', 'polyrelay-usage-dlq']);
  });
});

const R2_LIST = `
 ⛅️ wrangler 4.164.0
───────────────────
Listing buckets...
name:           polyrelay-usage-archive
creation_date:  2026-12-01T10:00:00.000Z
`;

describe('R2 buckets', () => {
  it('reads bucket names from r2 bucket list and plans only the missing ones', () => {
    const wanted = requiredBuckets(TOML);
    assert.deepEqual([...parseBucketNames(R2_LIST)], ['polyrelay-usage-archive']);
    const steps = planDeploy({ toml: TOML, d1List: [], kvList: [], queuesOutput: '', bucketsOutput: '', secretNames: null });
    assert.deepEqual(
      pendingSteps(steps).filter((step) => step.run?.[0] === 'r2').map((step) => step.run.join(' ')),
      wanted.map((bucket) => `r2 bucket create ${bucket}`),
    );
    const existing = planDeploy({ toml: TOML, d1List: [], kvList: [], queuesOutput: '', bucketsOutput: R2_LIST, secretNames: null });
    assert.equal(pendingSteps(existing).filter((step) => step.run?.[0] === 'r2' && step.run[3] === 'polyrelay-usage-archive').length, 0);
  });
});

describe('the plan', () => {
  const runs = (steps) => pendingSteps(steps).map((step) => (step.run ?? ['write', step.write?.field ?? 'check-secrets']).join(' '));

  it('on a fresh account: create everything, migrate, deploy, then check the secrets', () => {
    const steps = planDeploy({ toml: TOML, d1List: [], kvList: [], queuesOutput: '', secretNames: null });
    assert.deepEqual(runs(steps), [
      'd1 create polyrelay',
      'kv namespace create polyrelay-tasks',
      'queues create polyrelay-usage',
      'queues create polyrelay-images',
      'queues create polyrelay-usage-dlq',
      'queues create polyrelay-images-dlq',
      ...requiredBuckets(TOML).map((bucket) => `r2 bucket create ${bucket}`),
      'd1 migrations apply DB --remote',
      'deploy',
      'write check-secrets',
    ]);
  });

  it('re-run after a half-finished run: existing resources are adopted by name, only the missing ones are created', () => {
    const steps = planDeploy({ toml: TOML, d1List: parseD1List(D1_LIST), kvList: parseKvList(KV_LIST), queuesOutput: QUEUES_LIST, secretNames: parseSecretNames(SECRETS_LIST) });
    assert.deepEqual(runs(steps), [
      'write database_id',
      'write id',
      'queues create polyrelay-images',
      'queues create polyrelay-images-dlq',
      ...requiredBuckets(TOML).map((bucket) => `r2 bucket create ${bucket}`),
      'd1 migrations apply DB --remote',
      'deploy',
      'secret put WEBHOOK_SECRET',
    ]);
  });

  it('re-run when everything exists: only migrations and the deploy, and no secret is ever replaced', () => {
    const toml = setBindingId(setBindingId(TOML, '[[d1_databases]]', 'DB', 'database_id', DB_ID), '[[kv_namespaces]]', 'TASKS', 'id', KV_ID);
    const allQueues = `${QUEUES_LIST}\n│ x │ polyrelay-images │\n│ y │ polyrelay-images-dlq │`;
    const allBuckets = requiredBuckets(TOML).map((bucket) => `name: ${bucket}`).join('\n');
    const steps = planDeploy({ toml, d1List: parseD1List(D1_LIST), kvList: parseKvList(KV_LIST), queuesOutput: allQueues, bucketsOutput: allBuckets, secretNames: new Set(['ADMIN_TOKEN', 'ENCRYPTION_KEY', 'WEBHOOK_SECRET']) });
    assert.deepEqual(runs(steps), ['d1 migrations apply DB --remote', 'deploy']);
    assert.deepEqual(runs(planSecrets(new Set(['ENCRYPTION_KEY']))), ['secret put ADMIN_TOKEN', 'secret put WEBHOOK_SECRET']);
  });

  it('an id in wrangler.toml that the account does not have is replaced by a new database', () => {
    const toml = setBindingId(TOML, '[[d1_databases]]', 'DB', 'database_id', '11111111-2222-3333-4444-555555555555');
    assert.equal(runs(planDeploy({ toml, d1List: [], kvList: [], queuesOutput: '', secretNames: null }))[0], 'd1 create polyrelay');
  });
});
