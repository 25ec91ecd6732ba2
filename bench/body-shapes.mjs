#!/usr/bin/env node
// `npx node bench/body-shapes.mjs`: CPU per streamed chunk of each way a Worker can move an upstream
// body to its client with JS seeing every chunk (bench/floor-worker/body-shapes.js), against the
// native pipe, all in one workerd (Miniflare). Same method as the stream-cost phase of npm run bench:
// (CPU per 200-event request − per 20-event request) / 180, from the workerd process's CPU time.
// Knobs: BODY_SHAPES (comma-separated, default all), BODY_SHAPES_FORMAT (anthropic), BODY_SHAPES_ROUNDS
// (2), BODY_SHAPES_PACED=1 (the fake streams 2 ms apart, as a model does).
import path from 'node:path';
import { countSuffix, PACED_SUFFIX, startFakeUpstreamThread } from './lib/fake-upstream.mjs';
import { startLoadThread } from './lib/load.mjs';
import { BENCH } from './lib/paths.mjs';
import { withNewChildren } from './lib/proc-cpu.mjs';
import { requestFor } from './lib/requests.mjs';
import { floorWorkerOptions, newMiniflare } from './lib/targets.mjs';

const { SHAPE_NAMES } = await import(path.join(BENCH, 'floor-worker/body-shapes.js'));
const shapes = process.env.BODY_SHAPES?.split(',') ?? SHAPE_NAMES;
const format = process.env.BODY_SHAPES_FORMAT ?? 'anthropic';
const rounds = Number(process.env.BODY_SHAPES_ROUNDS ?? 2);
const paced = process.env.BODY_SHAPES_PACED === '1' ? PACED_SUFFIX : '';

const fake = await startFakeUpstreamThread({ chunks: 32, chunkSize: 16, delayMs: 0 });
const load = startLoadThread();
const { result: mf, pids } = await withNewChildren('workerd', async () => {
  const started = newMiniflare({ host: '127.0.0.1', port: 0, workers: [floorWorkerOptions({ fakeUrl: fake.url, name: 'shapes', script: 'body-shapes.js' })] });
  await started.ready;
  return started;
});
const url = (await mf.unsafeGetDirectURL('shapes')).toString().replace(/\/$/, '');

const cpuPerRequestUs = async (shape, events) => {
  const request = requestFor(format, `bench-model${countSuffix(events)}${paced}`, true);
  const result = await load.run({ origin: url, ...request, headers: { ...request.headers, 'x-shape': shape }, cpuPids: pids, concurrency: 1, maxRequests: 300, maxMs: 1500, warmup: 8 });
  if (result.error) throw new Error(`${shape}: ${result.error.slice(0, 300)}`);
  return result.cpuNs / result.requests / 1000;
};

const perShape = Object.fromEntries(shapes.map((shape) => [shape, []]));
try {
  for (let round = 0; round < rounds; round++) {
    for (const shape of shapes) perShape[shape].push(((await cpuPerRequestUs(shape, 200)) - (await cpuPerRequestUs(shape, 20))) / 180);
  }
} finally {
  await mf.dispose();
  await load.close();
  await fake.close();
}
console.log(`\n${format} stream${paced ? ', paced' : ''}: CPU µs per chunk, ${rounds} round(s), one workerd\n`);
console.log('| body shape | µs per chunk (each round) |\n|---|---|');
for (const [shape, values] of Object.entries(perShape)) console.log(`| ${shape} | ${values.map((v) => v.toFixed(1)).join(' / ')} |`);
process.exit(0);
