#!/usr/bin/env node
// `npm run bench`: polyrelay's overhead against a direct call, the minimal-proxy floor and two peers,
// all in one run on 127.0.0.1, plus codec micro-benchmarks, bundle size and cold start. Writes
// bench/RESULTS.md (markdown tables) and bench/.results/results.json (raw numbers).
// Options (env): BENCH_MS (measured time per run, default 700), BENCH_CONCURRENCY ("1,16,64"),
// BENCH_CHUNKS (32), BENCH_CHUNK_SIZE (16), BENCH_DELAY_MS (0), BENCH_QUICK=1 (short smoke run),
// BENCH_OUT (markdown path, default bench/RESULTS.md), BENCH_SOURCE=worktree|head (default worktree:
// measure the files as they are; head: a `git archive HEAD` snapshot, for a stable figure while the
// work tree is mid-edit), BENCH_ONLY=streams (only the stream-cost runs of issue 17: build, relay and
// floors, CPU per event; prints its section and writes bench/.results/stream-cost.json), with
// BENCH_STREAM_SCENARIOS="anthropic stream,openai-chat→anthropic stream" for a subset and
// BENCH_HARNESS=0 to leave the wrangler-harness targets out; BENCH_BEFORE=<git ref> (the stream-cost
// runs also measure that commit's relay, in its own workerd, scenario by scenario beside this one:
// a before/after table from one run) and BENCH_STREAM_ROUNDS=N (the relays' stream-cost runs N times,
// alternating, median round kept).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildPayloads, PACED_DELAY_MS, PACED_SUFFIX, startFakeUpstreamThread } from './lib/fake-upstream.mjs';
import { startLoadThread } from './lib/load.mjs';
import { withNewChildren } from './lib/proc-cpu.mjs';
import { runStreamCost, streamCostReport } from './lib/stream-cost.mjs';
import { distanceReport, runDistance } from './lib/distance.mjs';
import { requestFor as requestForFormat } from './lib/requests.mjs';
import { BENCH, ROOT, SCRATCH } from './lib/paths.mjs';
import { snapshotSource } from './lib/source-snapshot.mjs';
import * as T from './lib/targets.mjs';

const started = Date.now();
const quick = process.env.BENCH_QUICK === '1';
const streamsOnly = process.env.BENCH_ONLY === 'streams';
const cfg = {
  ms: Number(process.env.BENCH_MS ?? (quick ? 250 : 700)),
  concurrency: (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number),
  chunks: Number(process.env.BENCH_CHUNKS ?? 32),
  chunkSize: Number(process.env.BENCH_CHUNK_SIZE ?? 16),
  delayMs: Number(process.env.BENCH_DELAY_MS ?? 0),
};
const MAX_REQUESTS = { 1: 600, 16: 4000, 64: 6000 };
const JS_FLOOR = 'floor+JS reader·workerd';
const out = process.env.BENCH_OUT ?? path.join(BENCH, 'RESULTS.md');
const log = (...args) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s]`, ...args);
mkdirSync(SCRATCH, { recursive: true });

const git = (...args) => {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};
const source = process.env.BENCH_SOURCE === 'head' ? 'head' : 'worktree';
const revision = `${git('rev-parse', '--short', 'HEAD')}${source === 'worktree' && git('status', '--porcelain', '--', 'src', 'schema', 'wrangler.toml') !== '' ? ' + uncommitted changes in src/' : ''}`;
// The tree that is built and measured: the work tree itself, or a snapshot of HEAD.
const SRC = source === 'head' ? path.join(SCRATCH, 'src-head') : ROOT;
if (source === 'head') snapshotSource('HEAD', SRC);
const beforeRef = process.env.BENCH_BEFORE;
const BEFORE_SRC = beforeRef ? snapshotSource(beforeRef, path.join(SCRATCH, 'src-before')) : undefined;
const beforeRevision = beforeRef ? git('rev-parse', '--short', beforeRef) : undefined;
const wrangler = path.join(ROOT, 'node_modules/.bin/wrangler');
const esbuild = path.join(ROOT, 'node_modules/.bin/esbuild');
const version = (pkg, from = ROOT) => {
  try {
    return JSON.parse(readFileSync(path.join(from, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
};

// ── 1. bundle size (wrangler deploy --dry-run) ───────────────────────────────────────────────────
const dryRun = (dir, extra = [], cwd = SRC) => {
  rmSync(dir, { recursive: true, force: true });
  const result = spawnSync(wrangler, ['deploy', '--dry-run', '--outdir', dir, ...extra], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
  });
  if (result.status !== 0) throw new Error(`wrangler deploy --dry-run failed: ${result.stderr}${result.stdout}`);
  const printed = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(result.stdout + result.stderr);
  const file = path.join(dir, 'index.js');
  const raw = readFileSync(file);
  return {
    file,
    rawKiB: raw.length / 1024,
    gzipKiB: gzipSync(raw, { level: 9 }).length / 1024,
    wranglerKiB: printed ? { raw: Number(printed[1]), gzip: Number(printed[2]) } : null,
  };
};
log('building the worker (wrangler deploy --dry-run)…');
const build = dryRun(path.join(SCRATCH, 'build'));
const buildMin = dryRun(path.join(SCRATCH, 'build-minify'), ['--minify']);
const buildBefore = BEFORE_SRC ? dryRun(path.join(SCRATCH, 'build-before'), [], BEFORE_SRC) : undefined;
// Where the bytes come from (esbuild metafile of the same entry; informative only).
const composition = (() => {
  const meta = path.join(SCRATCH, 'meta.json');
  execFileSync(
    esbuild,
    [
      'src/index.ts',
      '--bundle',
      '--format=esm',
      '--platform=neutral',
      '--conditions=workerd,worker,browser',
      '--main-fields=browser,module,main',
      '--external:cloudflare:*',
      '--external:node:*',
      `--metafile=${meta}`,
      `--outfile=${path.join(SCRATCH, 'composition.js')}`,
      '--log-level=error',
    ],
    { cwd: SRC },
  );
  const inputs = Object.values(JSON.parse(readFileSync(meta, 'utf8')).outputs)[0].inputs;
  const groups = {};
  for (const [file, { bytesInOutput }] of Object.entries(inputs)) {
    let group = 'src/ + schema/';
    const at = file.lastIndexOf('node_modules/');
    if (at >= 0) {
      const rest = file.slice(at + 'node_modules/'.length).split('/');
      group = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
      if (group === 'zod' && rest.includes('locales')) group = 'zod (locales)';
    }
    groups[group] = (groups[group] ?? 0) + bytesInOutput;
  }
  return Object.entries(groups)
    .sort((a, b) => b[1] - a[1])
    .map(([group, bytes]) => ({ group, KiB: bytes / 1024 }));
})();
log(`bundle ${build.rawKiB.toFixed(1)} KiB raw / ${build.gzipKiB.toFixed(1)} KiB gzip`);

// ── 2. codec micro-benchmarks (esbuild bundle of src/protocols + src/streams, run in Node 22) ────────
log('codec micro-benchmarks…');
const microBundle = path.join(SCRATCH, 'micro.mjs');
if (SRC !== ROOT) {
  cpSync(path.join(BENCH, 'micro'), path.join(SRC, 'bench/micro'), { recursive: true });
  cpSync(path.join(BENCH, 'lib/fake-upstream.mjs'), path.join(SRC, 'bench/lib/fake-upstream.mjs'));
}
// Node has no `cloudflare:workers`: a stub stands in for the Durable Object base class the codecs' imports reach.
const workersStub = '--alias:cloudflare:workers=./bench/micro/cloudflare-workers.mjs';
execFileSync(esbuild, ['bench/micro/codecs.ts', '--bundle', '--platform=node', '--format=esm', `--outfile=${microBundle}`, '--log-level=error', workersStub], { cwd: SRC });
const micro = streamsOnly ? { node: process.version, results: [] } : JSON.parse(
  execFileSync(process.execPath, [microBundle], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, BENCH_CHUNKS: String(cfg.chunks), BENCH_CHUNK_SIZE: String(cfg.chunkSize), BENCH_MICRO_MS: quick ? '40' : '120' },
  }),
);

// ── 3. the fake upstream, the load generator and every target ────────────────────────────────────
const payloads = buildPayloads(cfg);
const fullText = JSON.parse(payloads.anthropic.json).content[0].text;
const fake = await startFakeUpstreamThread(cfg);
const load = startLoadThread();
log(`fake upstream ${fake.url} (${cfg.chunks} chunks × ${cfg.chunkSize} chars, ${cfg.delayMs} ms apart)`);

const stops = [];
const targets = {};
const unavailable = {};
const start = async (name, fn) => {
  const t0 = Date.now();
  try {
    const target = await fn();
    stops.push(() => target.close());
    log(`${name} up in ${Date.now() - t0} ms`);
    return target;
  } catch (error) {
    unavailable[name] = String(error?.message ?? error).slice(0, 800);
    log(`${name} unavailable: ${unavailable[name]}`);
    return undefined;
  }
};
const stopAll = async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  await load.close().catch(() => {});
  await fake.close().catch(() => {});
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await stopAll();
    process.exit(130);
  });
}

// The workerd processes each target spawned, for the CPU time of the stream-cost runs.
const withPids = async (startTarget) => {
  const { result, pids } = await withNewChildren('workerd', startTarget);
  return { ...result, pids };
};
const withHarness = process.env.BENCH_HARNESS !== '0';
const harnessRelay = !withHarness ? undefined : await start('relay (wrangler harness)', () => withPids(() => T.startHarnessRelay({ fakeUrl: fake.url, prebuiltWorkerDir: path.dirname(build.file), root: SRC })));
const harnessFloor = !withHarness ? undefined : await start('floor (wrangler harness)', () => withPids(() => T.startHarnessFloor({ fakeUrl: fake.url })));
const pair = await start('relay + floor (one workerd, Miniflare)', () => withPids(() => T.startMiniflarePair({ fakeUrl: fake.url, bundlePath: build.file, root: SRC })));
const beforePair = !buildBefore ? undefined : await start(`relay at ${beforeRevision} (BENCH_BEFORE, own workerd)`, () => withPids(() => T.startMiniflarePair({ fakeUrl: fake.url, bundlePath: buildBefore.file, root: BEFORE_SRC })));
const portkey = streamsOnly ? undefined : await start('portkey', () => T.startPortkey());
const ccrHome = path.join(SCRATCH, 'ccr-home');
rmSync(ccrHome, { recursive: true, force: true });
const ccr = streamsOnly ? undefined : await start('claude-code-router', () => T.startCcr({ fakeUrl: fake.url, home: ccrHome }));
log(`workerd pids: relay·harness ${harnessRelay?.pids}, floor·harness ${harnessFloor?.pids}, relay+floor·workerd ${pair?.pids}`);

// ── 4. requests per format ───────────────────────────────────────────────────────────────────────
// Streams also time the first token: the first delta's text (every format carries it verbatim).
const firstToken = fullText.slice(0, Math.min(12, cfg.chunkSize));
const requestFor = (format, model, stream, key) => ({ ...requestForFormat(format, model, stream, key, fullText), ...(stream ? { firstToken } : {}) });

const FORMATS = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const LABEL = { 'openai-chat': 'OpenAI Chat', 'openai-responses': 'Responses', anthropic: 'Anthropic', gemini: 'Gemini' };
const TRANSLATIONS = [
  ['anthropic', 'openai-chat'],
  ['openai-chat', 'anthropic'],
  ['openai-responses', 'anthropic'],
  ['gemini', 'openai-chat'],
];

// A case = one client format × upstream format × stream flag; its targets share the direct baseline.
const cases = [];
for (const stream of [false, true]) {
  for (const format of FORMATS) {
    const t = {};
    t.direct = { origin: fake.url, ...requestFor(format, 'bench-model', stream) };
    if (harnessFloor) t['floor·harness'] = { origin: harnessFloor.url, ...requestFor(format, 'bench-model', stream) };
    if (harnessRelay) t['relay·harness'] = { origin: harnessRelay.url, ...requestFor(format, T.MODEL_OF[format], stream, harnessRelay.key) };
    if (pair) {
      t['floor·workerd'] = { origin: pair.floorUrl, ...requestFor(format, 'bench-model', stream) };
      t['relay·workerd'] = { origin: pair.relayUrl, ...requestFor(format, T.MODEL_OF[format], stream, pair.key) };
    }
    if (pair && stream) t[JS_FLOOR] = { origin: pair.hopsUrl, ...requestFor(format, 'bench-model', stream) };
    if (format === 'openai-chat') {
      if (harnessRelay) t['relay·harness, quota DO'] = { origin: harnessRelay.url, ...requestFor(format, T.MODEL_OF[format], stream, harnessRelay.quotaKey) };
      if (pair) t['relay·workerd, quota DO'] = { origin: pair.relayUrl, ...requestFor(format, T.MODEL_OF[format], stream, pair.quotaKey) };
      if (portkey) {
        const r = requestFor(format, 'bench-model', stream);
        t['portkey'] = {
          origin: portkey.url,
          ...r,
          headers: { ...r.headers, authorization: `Bearer ${T.FAKE_KEY}`, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${fake.url}/v1` },
        };
      }
    }
    cases.push({ id: `${format}${stream ? ' stream' : ''}`, kind: 'passthrough', client: format, upstream: format, stream, targets: t });
  }
  for (const [client, upstream] of TRANSLATIONS) {
    const t = {};
    if (harnessRelay) t['relay·harness'] = { origin: harnessRelay.url, ...requestFor(client, T.MODEL_OF[upstream], stream, harnessRelay.key) };
    if (pair) t['relay·workerd'] = { origin: pair.relayUrl, ...requestFor(client, T.MODEL_OF[upstream], stream, pair.key) };
    if (pair && client === 'openai-responses') {
      // `store` defaults to true: the relay keeps each translated answer in KV (src/conversations/). Without it:
      const r = requestFor(client, T.MODEL_OF[upstream], stream, pair.key);
      t['relay·workerd, store:false'] = { ...r, origin: pair.relayUrl, body: JSON.stringify({ ...JSON.parse(r.body), store: false }) };
    }
    if (portkey && client === 'openai-chat' && upstream === 'anthropic') {
      const r = requestFor(client, 'bench-model', stream);
      t['portkey'] = {
        origin: portkey.url,
        ...r,
        headers: { ...r.headers, authorization: `Bearer ${T.FAKE_KEY}`, 'x-portkey-provider': 'anthropic', 'x-portkey-custom-host': `${fake.url}/v1` },
      };
    }
    if (ccr && client === 'anthropic' && upstream === 'openai-chat') {
      t['claude-code-router'] = { origin: ccr.url, ...requestFor(client, T.MODEL_OF[upstream], stream, T.CCR_KEY) };
    }
    cases.push({ id: `${client}→${upstream}${stream ? ' stream' : ''}`, kind: 'translation', client, upstream, stream, targets: t });
  }
}
// Paced streams: PACED_DELAY_MS between events, as a model streams (the cases above send back to back,
// which makes the per-chunk cost of any JS stream as visible as it can be). c=1 and 16 only.
const PACED = [['anthropic', 'anthropic'], ['openai-chat', 'openai-chat'], ['anthropic', 'openai-chat']];
for (const [client, upstream] of PACED) {
  const paced = (model) => `${model}${PACED_SUFFIX}`;
  const t = {};
  t.direct = { origin: fake.url, ...requestFor(upstream, paced('bench-model'), true) };
  if (pair) {
    t['floor·workerd'] = { origin: pair.floorUrl, ...requestFor(upstream, paced('bench-model'), true) };
    t[JS_FLOOR] = { origin: pair.hopsUrl, ...requestFor(upstream, paced('bench-model'), true) };
    t['relay·workerd'] = { origin: pair.relayUrl, ...requestFor(client, paced(T.MODEL_OF[upstream]), true, pair.key) };
  }
  const id = `${client === upstream ? client : `${client}→${upstream}`} stream, paced`;
  cases.push({ id, kind: 'paced', client, upstream, stream: true, targets: t, concurrency: [1, 16].filter((c) => cfg.concurrency.includes(c)), ms: cfg.ms * 3 });
}
const baselineCase = (c) => (c.kind === 'paced' ? c : cases.find((other) => other.kind === 'passthrough' && other.client === c.upstream && other.stream === c.stream));

// ── 5. the matrix ────────────────────────────────────────────────────────────────────────────────
const results = {}; // results[caseId][target][concurrency]
const runs = cases.reduce((n, c) => n + Object.keys(c.targets).length * (c.concurrency ?? cfg.concurrency).length, 0);
log(`running ${runs} load runs (${cfg.ms} ms each after warm-up)…`);
for (const c of streamsOnly ? [] : cases) {
  results[c.id] = {};
  for (const concurrency of c.concurrency ?? cfg.concurrency) {
    for (const [name, target] of Object.entries(c.targets)) {
      const result = await load.run({
        ...target,
        concurrency,
        maxRequests: MAX_REQUESTS[concurrency] ?? 4000,
        maxMs: c.ms ?? cfg.ms,
        warmup: Math.max(8, concurrency),
      });
      (results[c.id][name] ??= {})[concurrency] = result;
      if (result.error) log(`  ${c.id} · ${name} · c=${concurrency}: ${result.error.slice(0, 300)}`);
    }
  }
  const r1 = results[c.id]['relay·workerd']?.[1];
  log(`  ${c.id}: done${r1?.latency ? ` (relay·workerd c=1 p50 ${r1.latency.p50.toFixed(2)} ms)` : ''}`);
}

// ── 5b. stream cost (issue 17): CPU per event and long streams, relay against the floors ─────────
log('stream cost: 20- and 200-delta streams, CPU per event…');
const streamCost = await runStreamCost({
  load,
  requestFor: (format, model, stream, key) => requestForFormat(format, model, stream, key),
  targets: { pair, beforePair, harnessRelay, harnessFloor, fakeUrl: fake.url },
  ms: cfg.ms,
  log,
  only: process.env.BENCH_STREAM_SCENARIOS?.split(','),
  rounds: Number(process.env.BENCH_STREAM_ROUNDS ?? 1),
});
if (streamsOnly) {
  await stopAll();
  writeFileSync(path.join(SCRATCH, 'stream-cost.json'), JSON.stringify({ date: new Date().toISOString(), source, revision, beforeRevision, streamCost }, null, 1));
  console.log(streamCostReport(streamCost, { before: beforeRevision, after: revision }).join('\n'));
  process.exit(0);
}

// ── 5c. bindings 80 ms away (issue 21): bench/lib/distance.mjs, also alone as `npm run bench:distance` ──
const distance = await runDistance({ bundlePath: build.file, fakeUrl: fake.url, load, log, ms: cfg.ms, samples: quick ? 1 : 5, rounds: quick ? 1 : 5, root: SRC }).catch((error) => {
  unavailable['bindings 80 ms away'] = String(error?.message ?? error).slice(0, 800);
  return undefined;
});

// ── 6. cold start: a fresh workerd per sample, relay vs floor ────────────────────────────────────
log('cold start…');
const coldStart = async (kind) => {
  const samples = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    const t0 = performance.now();
    const workerOptions =
      kind === 'relay'
        ? { ...T.relayWorkerOptions({ bundlePath: build.file, root: SRC }), unsafeDirectSockets: undefined }
        : { ...T.floorWorkerOptions({ fakeUrl: fake.url }), unsafeDirectSockets: undefined };
    const mf = T.newMiniflare({ host: '127.0.0.1', port: 0, workers: [workerOptions] });
    try {
      const url = await mf.ready;
      const ready = performance.now() - t0;
      if (kind === 'relay') await T.applyMigrations(mf, 'relay', SRC); // not timed; /health reads D1
      const t1 = performance.now();
      const first = await fetch(new URL(kind === 'relay' ? '/health' : '/v1/models', url));
      await first.arrayBuffer();
      const firstRequest = performance.now() - t1;
      const t2 = performance.now();
      await (await fetch(new URL(kind === 'relay' ? '/health' : '/v1/models', url))).arrayBuffer();
      const warmRequest = performance.now() - t2;
      samples.push({ ready, firstRequest, warmRequest });
    } finally {
      await mf.dispose();
    }
  }
  const median = (key) => samples.map((s) => s[key]).sort((a, b) => a - b)[Math.floor(samples.length / 2)];
  return { ready: median('ready'), firstRequest: median('firstRequest'), warmRequest: median('warmRequest'), samples: samples.length };
};
const cold = { relay: await coldStart('relay'), floor: await coldStart('floor') };

await stopAll();
log('all processes stopped');

// ── 7. report ────────────────────────────────────────────────────────────────────────────────────
const f = (value, digits = 2) => (value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));
const signed = (value) => (value === undefined || Number.isNaN(value) ? '—' : `${value >= 0 ? '+' : ''}${value.toFixed(2)}`);
const get = (caseId, target, concurrency) => results[caseId]?.[target]?.[concurrency];
const directOf = (c, concurrency) => get(baselineCase(c).id, 'direct', concurrency);
const metric = (c) => (c.stream ? 'full stream' : 'latency');

const lines = [];
const push = (...more) => lines.push(...more);
const now = new Date();
push(
  '# polyrelay benchmark results',
  '',
  `Latest \`npm run bench\`: **${now.toISOString().replace('T', ' ').slice(0, 16)} UTC**, ${((Date.now() - started) / 1000).toFixed(0)} s wall; ` +
    `measured ${source === 'head' ? `a snapshot of HEAD ${revision} (BENCH_SOURCE=head)` : `the work tree at ${revision}`}.`,
  '',
  `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}; ` +
    `Node ${process.version}; wrangler ${version('wrangler')}, miniflare ${version('miniflare')} (Miniflare API), workerd ${version('workerd')}; ` +
    `peers: @portkey-ai/gateway ${version('@portkey-ai/gateway', BENCH)}, @musistudio/claude-code-router ${version('@musistudio/claude-code-router', BENCH)}. ` +
    'Client, fake upstream, workerd and peers all share these cores, so absolute numbers are pessimistic; compare within one run only.',
  '',
  `Setup: fake upstream = plain node:http in its own thread, pre-serialized answers of ${cfg.chunks} text deltas × ${cfg.chunkSize} chars ` +
    `(${cfg.delayMs} ms between SSE events); load = undici keep-alive pool in its own thread, closed loop at concurrency ${cfg.concurrency.join(' / ')}, ` +
    `${cfg.ms} ms measured per run after a warm-up, bounded request counts. All on 127.0.0.1. ` +
    '**direct** = the client calling the fake upstream itself; **added** = target p50 − direct p50 in the same run; ratio = target p50 / direct p50.',
  '',
  'Targets: **·harness** = wrangler\'s `createTestHarness` (the runtime and proxy path of `wrangler dev`, what `npm run dev` serves); ' +
    '**·workerd** = relay and floor in ONE workerd via the Miniflare API, each on a direct socket (no proxy hop; comparable with the Node peers); ' +
    '**floor** = bench/floor-worker (a Worker that only proxies); **floor+JS reader** = the floor plus one JS pull reader between upstream and client, no parsing (bench/floor-worker/hops.js): the floor of any Worker relay that reads the bytes it streams, as a usage tap must; ' +
    `**paced** = the fake streams ${PACED_DELAY_MS} ms apart, as a model does (all other streams are sent back to back); ` +
    '**quota DO** = a key with request windows, so each request takes the QuotaLimiter Durable Object round trip (all other relay rows use an `unlimited` key); ' +
    '**store:false** = a Responses request that opts out of the stored state (by default, as at OpenAI, the relay keeps each translated Responses answer in KV after delivering it: two KV writes, which a local workerd runs on the same thread).',
  '',
);

// Targets scorecard.
const passthroughCases = cases.filter((c) => c.kind === 'passthrough');
const scoreRows = [];
const verdict = (ok) => (ok ? '✅ met' : '❌ not met');
{
  // (1) relay p50 within 1.2× of the floor (c=1), workerd and harness.
  for (const runtime of ['workerd', 'harness']) {
    const ratios = passthroughCases
      .map((c) => {
        const relay = get(c.id, `relay·${runtime}`, 1)?.latency?.p50;
        const floor = get(c.id, `floor·${runtime}`, 1)?.latency?.p50;
        const direct = directOf(c, 1)?.latency?.p50;
        return relay && floor ? { id: c.id, total: relay / floor, added: (relay - direct) / (floor - direct) } : undefined;
      })
      .filter(Boolean);
    if (ratios.length > 0) {
      const worst = ratios.reduce((a, b) => (b.total > a.total ? b : a));
      const okCount = ratios.filter((r) => r.total <= 1.2).length;
      scoreRows.push([
        `relay p50 ≤ 1.2× floor p50 (${runtime}, c=1, passthrough)`,
        `${okCount}/${ratios.length} cases; worst ${worst.id}: ${f(worst.total)}× total, ${f(worst.added, 1)}× the floor's added ms`,
        verdict(okCount === ratios.length),
      ]);
    }
  }
  // (2) streaming TTFB added < 2 ms at p50 (c=1).
  for (const runtime of ['workerd', 'harness']) {
    const added = cases
      .filter((c) => c.stream && c.kind !== 'paced')
      .map((c) => ({ id: c.id, ms: get(c.id, `relay·${runtime}`, 1)?.ttfb?.p50 - directOf(c, 1)?.ttfb?.p50 }))
      .filter((r) => !Number.isNaN(r.ms));
    if (added.length > 0) {
      const worst = added.reduce((a, b) => (b.ms > a.ms ? b : a));
      const ok = added.filter((r) => r.ms < 2).length;
      scoreRows.push([`streaming TTFB added < 2 ms p50 (${runtime}, c=1)`, `${ok}/${added.length} cases; worst ${worst.id}: ${signed(worst.ms)} ms`, verdict(ok === added.length)]);
    }
  }
  // (diagnostic, not one of issue 8's targets) streams against the floor of a relay that reads its stream in JS.
  const jsRatios = cases
    .filter((c) => c.stream && c.kind !== 'translation')
    .map((c) => ({ id: c.id, total: get(c.id, 'relay·workerd', 1)?.latency?.p50 / get(c.id, JS_FLOOR, 1)?.latency?.p50 }))
    .filter((r) => !Number.isNaN(r.total));
  if (jsRatios.length > 0) {
    const worst = jsRatios.reduce((a, b) => (b.total > a.total ? b : a));
    const ok = jsRatios.filter((r) => r.total <= 1.2).length;
    scoreRows.push([
      'diagnostic: relay p50 ≤ 1.2× floor+JS reader p50 (workerd, c=1, passthrough streams incl. paced)',
      `${ok}/${jsRatios.length} cases; worst ${worst.id}: ${f(worst.total)}×`,
      ok === jsRatios.length ? '✅' : '❌',
    ]);
  }
  const ttftAdded = cases
    .filter((c) => c.stream)
    .map((c) => ({ id: c.id, ms: get(c.id, 'relay·workerd', 1)?.ttft?.p50 - directOf(c, 1)?.ttft?.p50 }))
    .filter((r) => !Number.isNaN(r.ms));
  if (ttftAdded.length > 0) {
    const worst = ttftAdded.reduce((a, b) => (b.ms > a.ms ? b : a));
    const ok = ttftAdded.filter((r) => r.ms < 2).length;
    scoreRows.push(['diagnostic: time to first token added < 2 ms p50 (workerd, c=1, all streams incl. paced)', `${ok}/${ttftAdded.length} cases; worst ${worst.id}: ${signed(worst.ms)} ms`, ok === ttftAdded.length ? '✅' : '❌']);
  }
  // (3) better than both peers on shared scenarios: lower added p50 at c=1, higher rps at the top concurrency.
  const top = Math.max(...cfg.concurrency);
  for (const peer of ['portkey', 'claude-code-router']) {
    const shared = cases.filter((c) => c.targets[peer]);
    if (shared.length === 0) {
      scoreRows.push([`better than ${peer}`, `not measured: ${unavailable[peer] ?? 'no shared scenario'}`, '—']);
      continue;
    }
    const detail = [];
    const failedShared = [];
    let wins = 0;
    let total = 0;
    for (const c of shared) {
      const relay1 = get(c.id, 'relay·workerd', 1);
      const peer1 = get(c.id, peer, 1);
      const relayTop = get(c.id, 'relay·workerd', top);
      const peerTop = get(c.id, peer, top);
      if (!peer1?.latency || !peerTop?.latency) {
        failedShared.push(`${c.id} (${peer} failed: ${(peer1?.error ?? peerTop?.error ?? 'no result').slice(0, 90)})`);
        continue;
      }
      const latencyWin = relay1?.latency?.p50 < peer1.latency.p50;
      const rpsWin = relayTop?.rps > peerTop.rps;
      wins += Number(latencyWin) + Number(rpsWin);
      total += 2;
      detail.push(`${c.id}: p50 ${f(relay1?.latency?.p50)} vs ${f(peer1.latency.p50)} ms ${latencyWin ? '✓' : '✗'}, c=${top} ${f(relayTop?.rps, 0)} vs ${f(peerTop.rps, 0)} req/s ${rpsWin ? '✓' : '✗'}`);
    }
    const notMeasured = failedShared.length > 0 ? `; not comparable: ${failedShared.join('; ')}` : '';
    scoreRows.push([
      `better than ${peer} (relay·workerd vs peer; c=1 p50, c=${top} req/s)`,
      `${wins}/${total} comparisons won — ${detail.join('; ')}${notMeasured}`,
      total === 0 ? '—' : verdict(wins === total),
    ]);
  }
  // (4) bundle.
  scoreRows.push([
    'bundle < 150 KiB gzip',
    `${f(build.gzipKiB, 1)} KiB gzip (${f(build.rawKiB, 1)} KiB raw) as deployed; with --minify ${f(buildMin.gzipKiB, 1)} KiB gzip`,
    verdict(build.gzipKiB < 150),
  ]);
}
push('## Targets (issue 8)', '', '| target | where we stand | |', '|---|---|---|', ...scoreRows.map((row) => `| ${row.join(' | ')} |`), '');
push(
  ...streamCostReport(streamCost, {
    before: beforeRevision,
    after: revision,
    nonStream: (runtime) => {
      const direct = get('openai-chat', 'direct', 1)?.latency?.p50;
      const floor = get('openai-chat', `floor·${runtime}`, 1)?.latency?.p50;
      const relay = get('openai-chat', `relay·${runtime}`, 1)?.latency?.p50;
      return floor && relay ? { floor: floor - direct, relay: relay - direct } : undefined;
    },
  }),
);

// Summary at c=1: relay-added ms vs the floor's, per case.
push(
  '## Added latency at concurrency 1 (p50, ms over direct)',
  '',
  'Translation rows compare with the direct call and the floor of the *upstream* format (a floor cannot translate).',
  '',
  '| case | direct p50 | floor·workerd | relay·workerd | relay/floor (total) | floor·harness | relay·harness | relay/floor (total) | TTFB added relay·workerd | TTFB added relay·harness |',
  '|---|---|---|---|---|---|---|---|---|---|',
);
for (const c of cases) {
  const base = baselineCase(c);
  const d = directOf(c, 1);
  const dp = d?.latency?.p50;
  const cell = (target, caseId = c.id) => signed(get(caseId, target, 1)?.latency?.p50 - dp);
  const ratio = (relay, floor) => f(get(c.id, relay, 1)?.latency?.p50 / get(base.id, floor, 1)?.latency?.p50);
  const ttfb = (target) => (c.stream ? signed(get(c.id, target, 1)?.ttfb?.p50 - d?.ttfb?.p50) : '');
  push(
    `| ${c.id} | ${f(dp)} | ${cell('floor·workerd', base.id)} | ${cell('relay·workerd')} | ${ratio('relay·workerd', 'floor·workerd')} | ${cell('floor·harness', base.id)} | ${cell('relay·harness')} | ${ratio('relay·harness', 'floor·harness')} | ${ttfb('relay·workerd')} | ${ttfb('relay·harness')} |`,
  );
}
push('');

// Streams against the JS-reader floor: how much of the relay's streaming cost any JS-reading Worker pays.
push(
  '## Streams at concurrency 1: the floor, the JS-reader floor and the relay (p50 ms over direct)',
  '',
  'Full-stream time added; translation rows use the floors of the upstream format. *paced* rows stream ' +
    `${PACED_DELAY_MS} ms apart (${cfg.chunks} deltas), as a model does: there the per-chunk cost hides between chunks and what is left is the relay's fixed cost. ` +
    '*First token* = until the first text delta reached the client. The relay holds its response until the first content event (so that an upstream failing before it can still fall back), ' +
    'so its first byte comes with the first content, while a direct call or a floor gets the preamble events (Anthropic `message_start`, the Chat role chunk) earlier; on a paced stream that shows as TTFB, not as time to first token.',
  '',
  '| case | direct p50 | floor | floor+JS reader | relay | relay/JS floor (total) | TTFB added: floor / relay | first token added: floor / relay |',
  '|---|---|---|---|---|---|---|---|',
);
for (const c of cases.filter((each) => each.stream)) {
  const base = baselineCase(c);
  const d = directOf(c, 1);
  const at = (target, caseId) => get(caseId, target, 1);
  const added = (target, caseId = c.id) => signed(at(target, caseId)?.latency?.p50 - d?.latency?.p50);
  const ttfb = (target, caseId = c.id) => signed(at(target, caseId)?.ttfb?.p50 - d?.ttfb?.p50);
  const ttft = (target, caseId = c.id) => signed(at(target, caseId)?.ttft?.p50 - d?.ttft?.p50);
  push(
    `| ${c.id} | ${f(d?.latency?.p50)} | ${added('floor·workerd', base.id)} | ${added(JS_FLOOR, base.id)} | ${added('relay·workerd')} | ${f(at('relay·workerd', c.id)?.latency?.p50 / at(JS_FLOOR, base.id)?.latency?.p50)} | ${ttfb('floor·workerd', base.id)} / ${ttfb('relay·workerd')} | ${ttft('floor·workerd', base.id)} / ${ttft('relay·workerd')} |`,
  );
}
push('');

// Full tables per case.
push('## All runs', '', 'Per case: req/s, p50/p90/p99 of latency (non-streaming) or full-stream time (streaming), TTFB p50/p99 for streams, and p50 added over direct / ratio to direct.', '');
for (const c of cases) {
  const base = baselineCase(c);
  const rows = [];
  const names = [...new Set([...(c.kind === 'translation' ? ['direct', 'floor·workerd', 'floor·harness'] : []), ...Object.keys(c.targets)])];
  for (const concurrency of c.concurrency ?? cfg.concurrency) {
    const d = directOf(c, concurrency);
    for (const name of names) {
      const fromBase = c.kind === 'translation' && (name === 'direct' || name.startsWith('floor'));
      const r = get(fromBase ? base.id : c.id, name, concurrency);
      if (!r) continue;
      const label = fromBase ? `${name} (${LABEL[c.upstream]})` : name;
      if (r.error && !r.latency) {
        rows.push(`| ${concurrency} | ${label} | failed: ${r.error.replaceAll('|', '/').slice(0, 200)} |||||||`);
        continue;
      }
      rows.push(
        `| ${concurrency} | ${label} | ${f(r.rps, 0)} | ${f(r.latency.p50)} / ${f(r.latency.p90)} / ${f(r.latency.p99)} | ${c.stream ? `${f(r.ttfb.p50)} / ${f(r.ttfb.p99)}` : ''} | ${signed(r.latency.p50 - d?.latency?.p50)} | ${f(r.latency.p50 / d?.latency?.p50)}× | ${r.latency.n}${r.failed ? ` (${r.failed} failed)` : ''} |`,
      );
    }
  }
  push(
    `### ${c.client !== c.upstream ? `${LABEL[c.client]} client → ${LABEL[c.upstream]} upstream` : `${LABEL[c.client]} passthrough`}${c.stream ? ', streaming' : ''}${c.kind === 'paced' ? `, paced (${PACED_DELAY_MS} ms between events)` : ''}`,
    '',
    `| conc | target | req/s | ${metric(c)} p50 / p90 / p99 ms | ${c.stream ? 'TTFB p50 / p99 ms' : ''} | added p50 ms | ratio | n |`,
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  );
}

// Micro-benchmarks.
push(
  '## Codec CPU per stream event (Node micro-benchmark)',
  '',
  `src/protocols codecs + src/sse bundled with esbuild and run in Node ${micro.node}: the relay's TransformStream chain over the fake's ${cfg.chunks}-delta streams ` +
    '(SSE decode → upstream decodeStream → client encodeStream → SSE encode; same format = the usage tap: SSE decode → decodeStream). ' +
    'CPU µs per upstream event (user+sys / events), wall µs per whole stream.',
  '',
  '| pipeline | events/stream | CPU µs/event | wall µs/stream |',
  '|---|---|---|---|',
  ...micro.results.map((r) => `| ${r.name} | ${r.events} | ${f(r.cpuUsPerEvent)} | ${f(r.wallUsPerStream, 0)} |`),
  '',
  '## Bundle and cold start',
  '',
  '| | raw KiB | gzip KiB (level 9) | wrangler\'s own figure |',
  '|---|---|---|---|',
  `| \`wrangler deploy --dry-run\` (as deployed by \`npm run deploy\`) | ${f(build.rawKiB, 1)} | ${f(build.gzipKiB, 1)} | ${build.wranglerKiB ? `${build.wranglerKiB.raw} / ${build.wranglerKiB.gzip}` : '—'} |`,
  `| same with \`--minify\` | ${f(buildMin.rawKiB, 1)} | ${f(buildMin.gzipKiB, 1)} | ${buildMin.wranglerKiB ? `${buildMin.wranglerKiB.raw} / ${buildMin.wranglerKiB.gzip}` : '—'} |`,
  '',
  `Unminified composition (esbuild metafile of src/index.ts): ${composition
    .slice(0, 6)
    .map((g) => `${g.group} ${f(g.KiB, 0)} KiB`)
    .join(', ')}.`,
  '',
  'Cold start: a fresh workerd (Miniflare API) per sample, median of ' +
    `${cold.relay.samples}; *ready* = process start → script loaded and listening (includes workerd's own start-up), *first request* = the first ` +
    'request after that (relay: `GET /health`, which reads D1; floor: one proxied request), *warm* = the next one.',
  '',
  '| worker | ready ms | first request ms | warm request ms |',
  '|---|---|---|---|',
  `| relay | ${f(cold.relay.ready, 0)} | ${f(cold.relay.firstRequest, 1)} | ${f(cold.relay.warmRequest, 1)} |`,
  `| floor | ${f(cold.floor.ready, 0)} | ${f(cold.floor.firstRequest, 1)} | ${f(cold.floor.warmRequest, 1)} |`,
  `| relay − floor | ${signed(cold.relay.ready - cold.floor.ready)} | ${signed(cold.relay.firstRequest - cold.floor.firstRequest)} | |`,
  '',
);
push(...distanceReport(distance));
if (Object.keys(unavailable).length > 0) {
  push('## Not measured', '', ...Object.entries(unavailable).map(([name, why]) => `- **${name}**: ${why.replaceAll('\n', ' ')}`), '');
}
// The capacity section comes from `npm run bench:capacity` runs, not from this one: it is kept as it was.
const previous = (() => {
  try {
    return readFileSync(out, 'utf8');
  } catch {
    return '';
  }
})();
const capacityAt = previous.indexOf('\n## Capacity (issue 23');
if (capacityAt >= 0) {
  const end = previous.indexOf('\n## ', capacityAt + 1);
  push(previous.slice(capacityAt + 1, end < 0 ? undefined : end + 1).trimEnd(), '');
}

writeFileSync(out, `${lines.join('\n')}\n`);
writeFileSync(path.join(SCRATCH, 'results.json'), JSON.stringify({ date: now.toISOString(), source, revision, cfg, build, buildMin, composition, micro, cold, unavailable, results, streamCost }, null, 1));
log(`wrote ${path.relative(ROOT, out)} (${statSync(out).size} bytes) and bench/.results/results.json in ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`\n${scoreRows.map((row) => `${row[2]}  ${row[0]}: ${row[1]}`).join('\n')}`);
process.exit(0);
