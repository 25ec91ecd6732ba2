#!/usr/bin/env node
// CPU profile of the relay Worker inside workerd under load: where its milliseconds go.
// `node bench/profile.mjs [case …]` builds an unminified bundle, starts the relay in one workerd
// (Miniflare API, inspector on), drives each case at concurrency PROFILE_CONCURRENCY (1) for
// PROFILE_MS (4000) and prints the functions with the most self time. Cases: a client format
// ("anthropic"), a pair ("anthropic→openai-chat") and/or " stream". The raw profile is written to
// bench/.results/profile-<case>.cpuprofile (open it in Chrome DevTools). PROFILE_EVENTS=200 streams
// that many text deltas per answer (the fake's -n<count> models) instead of 32.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildPayloads, countSuffix, startFakeUpstreamThread } from './lib/fake-upstream.mjs';
import { connectInspector } from './lib/inspector.mjs';
import { startLoadThread } from './lib/load.mjs';
import { ROOT, SCRATCH } from './lib/paths.mjs';
import { requestFor } from './lib/requests.mjs';
import * as T from './lib/targets.mjs';

const cases = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['openai-chat', 'openai-chat stream', 'openai-chat→anthropic stream'];
const ms = Number(process.env.PROFILE_MS ?? 4000);
const concurrency = Number(process.env.PROFILE_CONCURRENCY ?? 1);
const top = Number(process.env.PROFILE_TOP ?? 40);
const events = process.env.PROFILE_EVENTS;

const outdir = path.join(SCRATCH, 'profile-build');
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const built = spawnSync(path.join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', outdir, '--no-minify'], {
  cwd: ROOT,
  encoding: 'utf8',
  env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
});
if (built.status !== 0) throw new Error(built.stderr + built.stdout);

/** Self time per function (name + location), in ms, from a V8 CPU profile. */
const selfTimes = (profile) => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const total = profile.endTime - profile.startTime;
  const perSample = total / 1000 / profile.samples.length;
  const rows = new Map();
  for (const [id, count] of counts) {
    const { callFrame } = byId.get(id);
    const label = `${callFrame.functionName || '(anonymous)'} ${path.basename(callFrame.url || '')}:${callFrame.lineNumber + 1}`;
    rows.set(label, (rows.get(label) ?? 0) + count * perSample);
  }
  return { totalMs: total / 1000, rows: [...rows].sort((a, b) => b[1] - a[1]) };
};

const inspectorPort = await T.freePort();
const payloads = buildPayloads({});
const fullText = JSON.parse(payloads.anthropic.json).content[0].text;
const fake = await startFakeUpstreamThread({});
const load = startLoadThread();
const pair = await T.startMiniflarePair({ fakeUrl: fake.url, bundlePath: path.join(outdir, 'index.js'), inspectorPort });
const inspector = await connectInspector(inspectorPort, 'relay');
try {
  await inspector.send('Profiler.enable');
  await inspector.send('Profiler.setSamplingInterval', { interval: 50 });
  for (const id of cases) {
    const stream = id.endsWith(' stream');
    const [client, upstream = client] = id.replace(/ stream$/, '').split('→');
    const job = { origin: pair.relayUrl, ...requestFor(client, `${T.MODEL_OF[upstream]}${events ? countSuffix(events) : ''}`, stream, pair.key, fullText), concurrency, warmup: 200, maxRequests: 1e9 };
    await load.run({ ...job, maxMs: 1500 });
    await inspector.send('Profiler.start');
    const result = await load.run({ ...job, maxMs: ms });
    const { profile } = await inspector.send('Profiler.stop');
    writeFileSync(path.join(SCRATCH, `profile-${id.replace(/[^\w-]+/g, '_')}.cpuprofile`), JSON.stringify(profile));
    const { totalMs, rows } = selfTimes(profile);
    const requests = result.ok;
    console.log(`\n## ${id}: ${requests} requests in ${(result.elapsedMs / 1000).toFixed(1)} s, p50 ${result.latency.p50.toFixed(2)} ms; sampled ${totalMs.toFixed(0)} ms`);
    const busy = rows.filter(([label]) => !label.startsWith('(idle)')).reduce((sum, [, t]) => sum + t, 0);
    console.log(`busy ${busy.toFixed(0)} ms = ${((busy / requests) * 1000).toFixed(0)} µs per request`);
    for (const [label, t] of rows.slice(0, top)) console.log(`${((t / requests) * 1000).toFixed(1).padStart(8)} µs/req  ${label}`);
  }
} finally {
  inspector.close();
  await pair.close();
  await load.close();
  await fake.close();
}
