// npm run bench:capacity — what one request costs in storage, through the real relay and consumer.
// Builds bench/capacity/worker.ts (src/index.ts with counting wrappers around D1 and the Durable Objects' SQL),
// runs it in one workerd through Miniflare on local D1 / KV / R2 / Durable Objects / Queues, drives
// CAPACITY_REQUESTS (default 5,000) requests over the four client formats and three kinds of key
// (subscription without windows, subscription with quota windows, prepaid; CAPACITY_KINDS picks), waits for the usage
// queue, folds what the consumer left unfolded as the cron would (the relay runs with wrangler.toml's
// USAGE_FOLD_SECONDS, so consumer batches fold at most once a minute), then moves every raw event out
// of D1 as the cron would once the raw window has passed.
// Prints the figures, and last: `capacity: D1 rows written/request R, D1 bytes kept/request after
// the raw window B, DO rows written/admit Q, events lost L`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ADMIN_TOKEN, applyMigrations, newMiniflare, relayWorkerOptions } from './lib/targets.mjs';
import { requestFor } from './lib/requests.mjs';
import { ROOT } from './lib/paths.mjs';

const TOTAL = Number(process.env.CAPACITY_REQUESTS ?? 5_000);
/** Which kinds of key take the traffic, in turn (default all three): subscription, quota, prepaid. */
const KINDS = (process.env.CAPACITY_KINDS ?? 'subscription,quota,prepaid').split(',');
const CONCURRENCY = Number(process.env.CAPACITY_CONCURRENCY ?? 32);
const FORMATS = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const MODEL = 'mock-capacity';
const log = (message) => process.stderr.write(`${message}\n`);

const scratch = mkdtempSync(path.join(tmpdir(), 'polyrelay-capacity-'));
log('building bench/capacity/worker.ts (wrangler deploy --dry-run)…');
const built = spawnSync(path.join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', path.join(scratch, 'build'), 'bench/capacity/worker.ts'], {
  cwd: ROOT,
  encoding: 'utf8',
  env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
});
if (built.status !== 0) throw new Error(`build failed: ${built.stderr}${built.stdout}`);

const options = relayWorkerOptions({ bundlePath: path.join(scratch, 'build', 'worker.js') });
const mf = newMiniflare({
  host: '127.0.0.1',
  port: 0,
  // On disk, so the D1 file's page counts can be read (Miniflare otherwise keeps state in a temp dir of its own).
  resourcePersistencePath: path.join(scratch, 'state'),
  workers: [{ ...options, bindings: { ...options.bindings, ENABLE_MOCK_PROVIDER: 'true' } }],
});

const sqliteFile = () => {
  const files = readdirSync(path.join(scratch, 'state'), { recursive: true }).filter(
    (name) => name.includes('D1DatabaseObject') && name.endsWith('.sqlite') && !name.endsWith('metadata.sqlite'),
  );
  if (files.length !== 1) throw new Error(`expected one D1 file under ${scratch}/state, found ${files.join(', ') || 'none'}`);
  return path.join(scratch, 'state', files[0]);
};

/**
 * Bytes the database holds in rows and index entries: every B-tree page's size minus its unused bytes
 * (SQLite's dbstat), so pages freed by the sweep and not yet reused do not count as kept.
 */
const usedBytes = () => {
  const db = new DatabaseSync(sqliteFile(), { readOnly: true });
  try {
    return db.prepare('SELECT SUM(pgsize - unused) AS used FROM dbstat').get().used;
  } finally {
    db.close();
  }
};

try {
  await mf.ready;
  await applyMigrations(mf, 'relay');
  const url = (await mf.unsafeGetDirectURL('relay')).toString().replace(/\/$/, '');
  const d1 = await mf.getD1Database('DB', 'relay');
  const now = Date.now();
  await d1.batch([
    d1.prepare(`INSERT INTO providers (id, protocol, base_url, api_key_encrypted, priority, weight, headers, enabled, created_at, updated_at)
                VALUES ('mock', 'mock', 'mock://', NULL, 100, 1, '{}', 1, ?1, ?1)`).bind(now),
    d1.prepare("INSERT INTO model_routes (public_model, provider_id, upstream_model) VALUES ('mock-*', 'mock', 'mock-*')"),
    d1.prepare(`INSERT INTO model_prices (model, input_per_million_micros, output_per_million_micros, updated_at) VALUES (?1, 3000000, 15000000, ?2)`).bind(MODEL, now),
  ]);
  const admin = async (method, pathName, body) => {
    const response = await fetch(`${url}/admin${pathName}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`admin ${pathName}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  // Ten of each kind: subscription without windows; subscription with 5-hour and weekly windows (a QuotaLimiter
  // admit per request); prepaid (a reservation per request, and the limiter for the prepaid concurrency default).
  const keys = [];
  for (let index = 0; index < 10; index++) {
    keys.push({ kind: 'subscription', key: (await admin('POST', '/keys', { name: `sub ${index}`, plan: 'unlimited' })).key });
    keys.push({
      kind: 'quota',
      key: (await admin('POST', '/keys', { name: `quota ${index}`, plan: 'pro', quotaOverrides: { requestsPer5h: 1_000_000_000, requestsPerWeek: 1_000_000_000, maxConcurrent: null } })).key,
    });
    const prepaid = await admin('POST', '/keys', { name: `prepaid ${index}`, plan: 'unlimited', billing: 'prepaid' });
    await admin('POST', `/accounts/${prepaid.accountId}/topup`, { amount: 100, reference: `bench_${prepaid.accountId}` });
    keys.push({ kind: 'prepaid', key: prepaid.key });
  }
  const trafficKeys = keys.filter((entry) => KINDS.includes(entry.kind));
  await fetch(`${url}/__bench/reset`);
  const bytesBefore = usedBytes();

  log(`driving ${TOTAL} requests (${CONCURRENCY} at a time)…`);
  const statuses = new Map();
  const byKind = Object.fromEntries(KINDS.map((kind) => [kind, 0]));
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < TOTAL) {
        const index = next++;
        const { kind, key } = trafficKeys[index % trafficKeys.length];
        const request = requestFor(FORMATS[index % FORMATS.length], MODEL, index % 3 === 0, key);
        let status;
        try {
          const response = await fetch(`${url}${request.path}`, { method: 'POST', headers: request.headers, body: request.body });
          const body = await response.text();
          status = response.status;
          if (status !== 200 && !statuses.has(status)) log(`first ${status} (${kind}): ${body.slice(0, 300)}`);
        } catch (error) {
          // A response cut mid-body: still a relayed request, whose usage event must arrive (aborted).
          status = 'cut';
          if (!statuses.has(status)) log(`first cut response (${kind}): ${String(error.cause ?? error)}`);
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        byKind[kind] += 1;
      }
    }),
  );
  const driveMs = Date.now() - started;
  log(`sent in ${(driveMs / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}; waiting for the usage queue…`);

  const arrived = async () => (await d1.prepare('SELECT COUNT(*) AS n FROM usage_events').first()).n;
  const deadline = Date.now() + 120_000;
  while ((await arrived()) < TOTAL && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
  // The relay's cron folds once the interval has passed since the consumer's last fold; the bench does not wait for it.
  const lastFold = await (await fetch(`${url}/__bench/fold`)).json();
  const seen = (await d1.prepare('SELECT COALESCE(SUM(requests), 0) AS n FROM usage_daily').first()).n;
  const foldState = await d1.prepare('SELECT folded = seq AS complete, pending_from IS NULL AS drained FROM usage_fold').first();
  if (foldState.complete !== 1 || foldState.drained !== 1) log(`WARNING: events left unfolded: ${JSON.stringify(foldState)}`);
  const traffic = await (await fetch(`${url}/__bench/counters`)).json();
  const rawRows = (await d1.prepare('SELECT COUNT(*) AS n FROM usage_events').first()).n;
  const bytesInWindow = usedBytes();
  const types = await d1
    .prepare(
      `SELECT 'event cost ' || typeof(cost_micros) AS t, COUNT(*) AS n FROM usage_events GROUP BY 1
       UNION ALL SELECT 'event input ' || typeof(input_tokens), COUNT(*) FROM usage_events GROUP BY 1
       UNION ALL SELECT 'ledger ' || kind || ' ' || typeof(amount_micros), COUNT(*) FROM ledger GROUP BY 1
       UNION ALL SELECT 'balance ' || typeof(balance_micros), COUNT(*) FROM accounts GROUP BY 1`,
    )
    .all();
  if (types.results.some((row) => / real$/.test(row.t))) log(`WARNING: money or tokens stored as REAL: ${JSON.stringify(types.results)}`);
  const balances = await d1
    .prepare(
      `SELECT COUNT(*) AS accounts, SUM(a.balance_micros != (SELECT COALESCE(SUM(amount_micros), 0) FROM ledger l WHERE l.account_id = a.id)) AS mismatched,
         (SELECT COUNT(*) FROM ledger WHERE kind = 'charge') AS charge_rows FROM accounts a`,
    )
    .first();
  const { openHolds } = await (await fetch(`${url}/__bench/open-holds`)).json();

  // As the every-minute cron does once the raw window (USAGE_RAW_DAYS, at most 30 days here) has passed.
  const pruned = await (await fetch(`${url}/__bench/prune?now=${Date.now() + 31 * 86_400_000}`)).json();
  const afterPrune = await (await fetch(`${url}/__bench/counters`)).json();
  const archived = (await (await mf.getR2Bucket('USAGE_ARCHIVE', 'relay')).list({ prefix: 'usage/' })).objects.length;
  const bytesAfter = usedBytes();

  const lost = TOTAL - seen;
  const R = traffic.d1RowsWritten / TOTAL;
  const B = Math.max(0, bytesAfter - bytesBefore) / TOTAL;
  const Q = traffic.admits === 0 ? 0 : traffic.doRowsWritten / traffic.admits;
  const figures = {
    requests: TOTAL,
    byKind,
    statuses: Object.fromEntries(statuses),
    requestsPerSecond: Math.round((TOTAL / driveMs) * 1000),
    d1: { rowsWritten: traffic.d1RowsWritten, statements: traffic.d1Statements, rowsWrittenByArchiveSweep: afterPrune.d1RowsWritten - traffic.d1RowsWritten },
    usageConsumer: { batches: traffic.usageBatches, eventsPerBatch: traffic.usageBatches === 0 ? 0 : Math.round(seen / traffic.usageBatches) },
    usageFold: { intervalSeconds: lastFold.intervalMs / 1000, folds: traffic.folds, subjectsInTheCronBackstopFold: lastFold.subjects },
    rawRowsBeforeSweep: rawRows,
    sweep: { ...pruned, r2Objects: archived },
    bytes: { usedBefore: bytesBefore, usedInRawWindow: bytesInWindow, perRequestInRawWindow: Math.round((bytesInWindow - bytesBefore) / TOTAL), usedAfterSweep: bytesAfter },
    ledger: { ...balances, openHolds },
    quotaLimiter: { admits: traffic.admits, rowsWritten: traffic.doRowsWritten },
    accountBalance: { reservations: traffic.reservations, rowsWritten: traffic.balanceRowsWritten },
    rowsWrittenByStatement: Object.fromEntries(Object.entries(traffic.breakdown).sort((a, b) => b[1] - a[1])),
  };
  console.log(JSON.stringify(figures, null, 2));
  if (balances.mismatched !== 0) {
    const detail = await d1
      .prepare(
        `SELECT a.id, a.balance_micros AS balance, (SELECT SUM(amount_micros) FROM ledger l WHERE l.account_id = a.id) AS ledger,
           (SELECT json_group_array(kind || ' ' || amount_micros) FROM ledger l WHERE l.account_id = a.id) AS rows FROM accounts a
         WHERE a.balance_micros != (SELECT COALESCE(SUM(amount_micros), 0) FROM ledger l WHERE l.account_id = a.id) LIMIT 3`,
      )
      .all();
    console.log(`WARNING: ${balances.mismatched} account(s) whose balance is not the sum of their ledger: ${JSON.stringify(detail.results)}`);
  }
  console.log(`usage consumer: ${traffic.usageBatches} batches, ${figures.usageConsumer.eventsPerBatch} events each on average; ${traffic.folds} folds into rollups, charges and balances`);
  if (traffic.reservations > 0) {
    console.log(`account balance objects: ${(traffic.balanceRowsWritten / traffic.reservations).toFixed(2)} rows written/prepaid request (${traffic.reservations} reservations)`);
  }
  console.log(`capacity: D1 rows written/request ${R.toFixed(2)}, D1 bytes kept/request after the raw window ${B.toFixed(1)}, DO rows written/admit ${Q.toFixed(2)}, events lost ${lost}`);
} finally {
  await mf.dispose();
  if (process.env.CAPACITY_KEEP !== "1") rmSync(scratch, { recursive: true, force: true });
}
