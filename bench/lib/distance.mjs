// "bindings 80 ms away" (issue 21): the relay as a far user's nearby point of presence sees it, with
// D1's primary and the key's QuotaLimiter on another continent. A wrapper Worker (written next to the
// built bundle) imports the relay's default export and hands it env.DB and env.QUOTA wrapped by
// distance-bindings.mjs: every D1 call and every object RPC sleeps ONE_WAY_MS before and after.
// Production code is untouched. Measured against the same bundle with local bindings:
// - warm requests (unlimited key; and a key with request windows, which takes the object round trip),
//   closed loop at concurrency 1 through the bench's load thread;
// - cold isolates: a fresh workerd per sample, its first request, with the colo cache (caches.default,
//   persisted between instances) empty ("quiet colo") or holding copies another isolate left ("busy colo").
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { requestFor } from './requests.mjs';
import { SCRATCH } from './paths.mjs';
import * as T from './targets.mjs';

export const ONE_WAY_MS = 80;
const DIR = path.join(SCRATCH, 'distance');

const ENTRY = `import relay from './index.js';
import { farEnv } from './distance-bindings.mjs';
export * from './index.js';
const far = (env) => farEnv(env, ${ONE_WAY_MS});
export default {
  fetch: (request, env, ctx) => relay.fetch(request, far(env), ctx),
  queue: (batch, env, ctx) => relay.queue(batch, far(env), ctx),
  scheduled: (controller, env, ctx) => relay.scheduled(controller, far(env), ctx),
};
`;

const writeFarWorker = (bundlePath) => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  copyFileSync(bundlePath, path.join(DIR, 'index.js'));
  copyFileSync(new URL('./distance-bindings.mjs', import.meta.url), path.join(DIR, 'distance-bindings.mjs'));
  writeFileSync(path.join(DIR, 'far-entry.mjs'), ENTRY);
  return path.join(DIR, 'far-entry.mjs');
};

// Miniflare 5 keeps every resource (D1, KV, objects, the Cache API) under one path.
const persistOf = (root) => ({ resourcePersistencePath: root });

const workerOf = ({ scriptPath, name, root, direct = true }) => {
  const options = T.relayWorkerOptions({ bundlePath: scriptPath, name, root });
  if (name !== 'relay') {
    // One consumer per queue in a workerd: the far worker only produces. Its modules are listed (the entry first).
    delete options.queueConsumers;
    delete options.scriptPath;
    options.modules = ['far-entry.mjs', 'index.js', 'distance-bindings.mjs'].map((file) => ({ type: 'ESModule', path: path.join(DIR, file) }));
    options.modulesRoot = DIR;
  }
  return direct ? options : { ...options, unsafeDirectSockets: undefined };
};

const chat = (key, model) => requestFor('openai-chat', model, false, key, '');

const timeOne = async (url, request) => {
  const t0 = performance.now();
  const response = await fetch(new URL(request.path, url), { method: 'POST', headers: request.headers, body: request.body });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`status ${response.status}`);
  return performance.now() - t0;
};

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Runs every distance case; returns { oneWayMs, warm: {...}, cold: {...} } with p50s in ms. */
export const runDistance = async ({ bundlePath, fakeUrl, load, log = console.log, ms = 700, samples = 5, rounds: rounds_ = 5, root }) => {
  const farScript = writeFarWorker(bundlePath);
  const model = T.MODEL_OF['openai-chat'];

  // Warm: local and far relays side by side in one workerd, sharing D1 (configured once, locally).
  log(`distance: warm requests, bindings ${ONE_WAY_MS} ms away each way…`);
  const mf = T.newMiniflare({
    host: '127.0.0.1',
    port: 0,
    workers: [workerOf({ scriptPath: bundlePath, name: 'relay', root }), workerOf({ scriptPath: farScript, name: 'relay-far', root })],
  });
  const warm = {};
  try {
    await mf.ready;
    await T.applyMigrations(mf, 'relay', root);
    const localUrl = (await mf.unsafeGetDirectURL('relay')).toString().replace(/\/$/, '');
    const farUrl = (await mf.unsafeGetDirectURL('relay-far')).toString().replace(/\/$/, '');
    const { key, quotaKey } = await T.configureRelay(localUrl, fakeUrl);
    // The machine is shared: local and far runs alternate, and each round's difference is kept.
    for (const [name, credential, runMs] of [['unlimited key', key, ms], ['key with request windows', quotaKey, Math.max(ms, 2000)]]) {
      const rounds = { local: [], far: [], added: [] };
      for (let round = 0; round < rounds_; round++) {
        const p50 = {};
        for (const [side, origin] of [['local', localUrl], ['far', farUrl]]) {
          const result = await load.run({ origin, ...chat(credential, model), concurrency: 1, maxRequests: 600, maxMs: runMs, warmup: 8 });
          if (result.error) throw new Error(`${name} · ${side}: ${result.error}`);
          p50[side] = result.latency.p50;
          rounds[side].push(result.latency.p50);
        }
        rounds.added.push(p50.far - p50.local);
      }
      warm[name] = { local: median(rounds.local), far: median(rounds.far), added: median(rounds.added), rounds };
    }
  } finally {
    await mf.dispose();
  }

  // Cold: a fresh workerd per sample over persisted storage; its first request.
  log(`distance: cold isolates (${samples} samples × 3)…`);
  const store = path.join(DIR, 'store');
  const setup = T.newMiniflare({ host: '127.0.0.1', port: 0, ...persistOf(store), workers: [workerOf({ scriptPath: bundlePath, name: 'relay', root })] });
  let keys;
  try {
    await setup.ready;
    await T.applyMigrations(setup, 'relay', root);
    keys = await T.configureRelay((await setup.unsafeGetDirectURL('relay')).toString().replace(/\/$/, ''), fakeUrl);
  } finally {
    await setup.dispose();
  }
  const firstRequest = async (scriptPath, name, { emptyColo }) => {
    if (emptyColo && existsSync(path.join(store, 'cache'))) rmSync(path.join(store, 'cache'), { recursive: true, force: true });
    const instance = T.newMiniflare({ host: '127.0.0.1', port: 0, ...persistOf(store), workers: [workerOf({ scriptPath, name, root, direct: false })] });
    try {
      const url = await instance.ready;
      const elapsed = await timeOne(url, chat(keys.key, model));
      // Let the request's waitUntil (colo copies) finish before the process goes.
      await new Promise((resolve) => setTimeout(resolve, 400));
      return elapsed;
    } finally {
      await instance.dispose();
    }
  };
  // Paired samples: a quiet colo starts with an empty cache store (its creation is part of both timings),
  // a busy one with the copies the isolate before it left.
  const cold = { localQuiet: [], quiet: [], busy: [], localBusy: [] };
  for (let i = 0; i < samples; i++) {
    cold.localQuiet.push(await firstRequest(bundlePath, 'relay', { emptyColo: true }));
    cold.quiet.push(await firstRequest(farScript, 'relay-far', { emptyColo: true }));
    cold.busy.push(await firstRequest(farScript, 'relay-far', { emptyColo: false }));
    cold.localBusy.push(await firstRequest(bundlePath, 'relay', { emptyColo: false }));
  }
  rmSync(DIR, { recursive: true, force: true });
  const pairedAdded = (far, local) => median(far.map((value, i) => value - local[i]));
  return {
    oneWayMs: ONE_WAY_MS,
    warm,
    cold: {
      quiet: { local: median(cold.localQuiet), far: median(cold.quiet), added: pairedAdded(cold.quiet, cold.localQuiet) },
      busy: { local: median(cold.localBusy), far: median(cold.busy), added: pairedAdded(cold.busy, cold.localBusy) },
      samples,
      raw: cold,
    },
  };
};

const f = (value) => (value === undefined || Number.isNaN(value) ? '—' : value.toFixed(2));
const signed = (value) => (value === undefined || Number.isNaN(value) ? '—' : `${value >= 0 ? '+' : ''}${value.toFixed(2)}`);

/** The report section (markdown lines), heading "bindings 80 ms away". */
export const distanceReport = (distance) => {
  if (distance === undefined) return [];
  const roundTrip = 2 * distance.oneWayMs;
  const { warm, cold } = distance;
  const verdict = (ok) => (ok ? '✅ met' : '❌ not met');
  const unlimited = warm['unlimited key'];
  const windowed = warm['key with request windows'];
  return [
    `## bindings ${distance.oneWayMs} ms away`,
    '',
    `The relay with D1 and the QuotaLimiter object ${distance.oneWayMs} ms away each way (one round trip = ${roundTrip} ms), as from a ` +
      'point of presence on another continent than D1\'s primary: bench/lib/distance.mjs runs the built bundle behind a wrapper Worker whose env.DB ' +
      'and env.QUOTA sleep before and after every call (bench/lib/distance-bindings.mjs; production code untouched), against the same bundle with ' +
      'local bindings. OpenAI Chat, non-streaming, concurrency 1, Miniflare/workerd. *Warm* = closed loop after warm-up; *cold isolate* = the ' +
      `first request of a fresh workerd (median of ${cold.samples}), its colo cache (caches.default, persisted between instances) empty (*quiet colo*) ` +
      'or holding the copies the previous isolate left (*busy colo*).',
    '',
    `Warm rows alternate local and far runs (${warm['unlimited key'].rounds.added.length} rounds of each, the machine being shared): p50s are medians over rounds, *added* the median of each round's difference. Cold rows pair each far sample with a local one in the same colo state.`,
    '',
    '| case | local p50 ms | far p50 ms | added p50 ms | goal | |',
    '|---|---|---|---|---|---|',
    `| warm request (unlimited key: no quota object) | ${f(unlimited.local)} | ${f(unlimited.far)} | ${signed(unlimited.added)} | within 2 ms | ${verdict(unlimited.added <= 2)} |`,
    `| warm request, key with request windows (one QuotaLimiter round trip) | ${f(windowed.local)} | ${f(windowed.far)} | ${signed(windowed.added)} | one object round trip ≈ ${roundTrip} ms (two would be ${2 * roundTrip}) | ${verdict(windowed.added < 1.5 * roundTrip)} |`,
    `| cold isolate, quiet colo (key and route table read from D1, overlapped) | ${f(cold.quiet.local)} | ${f(cold.quiet.far)} | ${signed(cold.quiet.added)} | one D1 round trip ≈ ${roundTrip} ms, not two | ${verdict(cold.quiet.added < 2 * roundTrip - 20)} |`,
    `| cold isolate, busy colo (key and route table from the colo cache) | ${f(cold.busy.local)} | ${f(cold.busy.far)} | ${signed(cold.busy.added)} | no D1 round trip | ${verdict(cold.busy.added < roundTrip / 2)} |`,
    '',
  ];
};
