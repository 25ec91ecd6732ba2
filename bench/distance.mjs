#!/usr/bin/env node
// `npm run bench:distance`: only the "bindings 80 ms away" section (bench/lib/distance.mjs). Builds the
// worker, starts the fake upstream and the load thread, and replaces that section of bench/RESULTS.md
// (or appends it); raw numbers in bench/.results/distance.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFakeUpstreamThread } from './lib/fake-upstream.mjs';
import { startLoadThread } from './lib/load.mjs';
import { distanceReport, runDistance } from './lib/distance.mjs';
import { BENCH, ROOT, SCRATCH } from './lib/paths.mjs';

const started = Date.now();
const log = (...args) => console.log(`[bench:distance ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s]`, ...args);
mkdirSync(SCRATCH, { recursive: true });
const outDir = path.join(SCRATCH, 'build-distance');
log('building the worker (wrangler deploy --dry-run)…');
const built = spawnSync(path.join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', outDir], {
  cwd: ROOT,
  encoding: 'utf8',
  env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
});
if (built.status !== 0) throw new Error(`wrangler deploy --dry-run failed: ${built.stderr}${built.stdout}`);

const cfg = { chunks: 32, chunkSize: 16, delayMs: 0 };
const fake = await startFakeUpstreamThread(cfg);
const load = startLoadThread();
let distance;
try {
  distance = await runDistance({ bundlePath: path.join(outDir, 'index.js'), fakeUrl: fake.url, load, log, ms: Number(process.env.BENCH_MS ?? 700) });
} finally {
  await load.close().catch(() => {});
  await fake.close().catch(() => {});
}
const revision = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
const section = [...distanceReport(distance), `Measured by \`npm run bench:distance\` at ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on the work tree at ${revision}.`, ''];
const out = process.env.BENCH_OUT ?? path.join(BENCH, 'RESULTS.md');
const current = existsSync(out) ? readFileSync(out, 'utf8') : '';
const heading = section[0];
const at = current.indexOf(`${heading}\n`);
let next;
if (at < 0) next = `${current.replace(/\n*$/, '\n\n')}${section.join('\n')}`;
else {
  const end = current.indexOf('\n## ', at + heading.length);
  next = `${current.slice(0, at)}${section.join('\n')}${end < 0 ? '' : current.slice(end + 1)}`;
}
writeFileSync(out, next);
writeFileSync(path.join(SCRATCH, 'distance.json'), JSON.stringify({ date: new Date().toISOString(), revision, distance }, null, 1));
console.log(section.join('\n'));
log(`wrote ${path.relative(ROOT, out)}`);
process.exit(0);
