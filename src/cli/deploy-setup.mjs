#!/usr/bin/env node
// `npm run deploy:setup [-- --dry-run]`: from a fresh clone to a deployed relay in one command, safe to
// re-run. Creates what is missing (D1, KV, queues, R2 buckets), writes their ids into wrangler.toml, applies the
// migrations remotely, deploys, and sets the secrets that are not set yet (generated; ADMIN_TOKEN is
// printed once). The decisions live in deploy-plan.mjs; this file only runs wrangler.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployButtonMarkdown, publicRepositoryUrl } from './deploy-button.mjs';
import { parseD1CreateId, parseD1List, parseKvCreateId, parseKvList, parseSecretNames, pendingSteps, planDeploy, planSecrets, setBindingId } from './deploy-plan.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(root);
const wrangler = path.join(root, 'node_modules', '.bin', 'wrangler');
const dryRun = process.argv.includes('--dry-run');
const tomlPath = path.join(root, 'wrangler.toml');

if (process.argv.includes('--button')) {
  const origin = spawnSync('git', ['remote', 'get-url', 'origin'], { encoding: 'utf8' });
  const repository = origin.status === 0 ? publicRepositoryUrl(origin.stdout) : null;
  if (repository === null) {
    console.error('No public repository to point the button at: push this clone to GitHub or GitLab and set it as `origin` first.');
    process.exit(1);
  }
  console.log(deployButtonMarkdown(repository));
  process.exit(0);
}

const wranglerRun = (args, input) => {
  // CI=true: wrangler never stops at an interactive prompt; it fails with its message instead.
  const result = spawnSync(wrangler, args, { encoding: 'utf8', input, env: { ...process.env, CI: 'true' }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
};

/** A read-only listing; null when wrangler could not answer (not logged in, no network). */
const list = (args) => {
  const result = wranglerRun(args);
  return result.ok ? result.output : null;
};

const orNull = (text, parse) => (text === null ? null : parse(text));

const d1List = orNull(list(['d1', 'list', '--json']), parseD1List);
const kvList = orNull(list(['kv', 'namespace', 'list']), parseKvList);
const queuesOutput = list(['queues', 'list']);
const bucketsOutput = list(['r2', 'bucket', 'list']);
const secretNames = orNull(list(['secret', 'list']), parseSecretNames);
if (d1List === null || kvList === null || queuesOutput === null) {
  console.warn('Could not list D1, KV or queues (run `npx wrangler login` first?); the plan assumes they do not exist.');
}

const steps = planDeploy({ toml: readFileSync(tomlPath, 'utf8'), d1List, kvList, queuesOutput, bucketsOutput, secretNames });
console.log(`Plan (${pendingSteps(steps).length} step(s) to run):`);
for (const step of steps) console.log(`  ${step.run || step.write || step.checkSecrets ? '→' : '✓'} ${step.description}`);
if (dryRun) process.exit(0);

const fail = (step, output) => {
  process.stderr.write(output);
  console.error(`\n${step.description}: failed. Fix the cause and run npm run deploy:setup again; finished steps are skipped.`);
  process.exit(1);
};

const writeId = ({ header, binding, field, value }) => {
  writeFileSync(tomlPath, setBindingId(readFileSync(tomlPath, 'utf8'), header, binding, field, value));
  console.log(`  wrote ${field} = "${value}" for ${binding} into wrangler.toml`);
};

const generated = [];
const queue = [...pendingSteps(steps)];
while (queue.length > 0) {
  const step = queue.shift();
  console.log(`\n→ ${step.description}`);
  if (step.checkSecrets) {
    const listed = list(['secret', 'list']);
    if (listed === null) fail(step, 'wrangler secret list failed: no secret was set, so none can be overwritten by mistake\n');
    queue.push(...pendingSteps(planSecrets(parseSecretNames(listed))));
    continue;
  }
  if (step.write) {
    writeId(step.write);
    continue;
  }
  const secret = step.secret === undefined ? undefined : randomBytes(32).toString('hex');
  const result = wranglerRun(step.run, secret);
  if (!result.ok) fail(step, result.output);
  if (step.parse === 'd1' || step.parse === 'kv') {
    const id = step.parse === 'd1' ? parseD1CreateId(result.output) : parseKvCreateId(result.output);
    if (id === null) fail(step, `${result.output}\ncould not read the new id from wrangler's output\n`);
    writeId(step.parse === 'd1' ? { header: '[[d1_databases]]', binding: 'DB', field: 'database_id', value: id } : { header: '[[kv_namespaces]]', binding: 'TASKS', field: 'id', value: id });
  }
  if (step.secret !== undefined) generated.push([step.secret, secret]);
}

console.log('\nDone. wrangler.toml now holds this account\'s ids: commit it, or keep it local.');
const admin = generated.find(([name]) => name === 'ADMIN_TOKEN');
if (admin) console.log(`ADMIN_TOKEN (shown once, keep it in a password manager): ${admin[1]}`);
