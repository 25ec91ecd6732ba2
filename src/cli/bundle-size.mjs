#!/usr/bin/env node
// `node src/cli/bundle-size.mjs <outdir> [limitKiB]`: gzip size of the Worker bundle that
// `wrangler deploy --dry-run --outdir <outdir>` wrote (source maps excluded: they are uploaded beside
// the script and not part of it). Exits 1 over the limit, so CI notices a bundle that grew.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const [outdir, limitArg] = process.argv.slice(2);
if (!outdir) {
  console.error('usage: node src/cli/bundle-size.mjs <outdir> [limitKiB]');
  process.exit(2);
}
const limitKiB = Number(limitArg ?? 190);

const filesUnder = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });

const modules = filesUnder(outdir).filter((file) => /\.(m?js|wasm)$/.test(file));
if (modules.length === 0) {
  console.error(`no bundle in ${outdir}: did wrangler deploy --dry-run --outdir run?`);
  process.exit(2);
}
const raw = modules.reduce((sum, file) => sum + statSync(file).size, 0);
const gzip = gzipSync(Buffer.concat(modules.map((file) => readFileSync(file))), { level: 9 }).length;
const kib = (bytes) => (bytes / 1024).toFixed(1);
console.log(`Worker bundle: ${modules.length} module(s), ${kib(raw)} KiB, ${kib(gzip)} KiB gzip (limit ${limitKiB} KiB)`);
if (gzip > limitKiB * 1024) {
  console.error(`The bundle is over ${limitKiB} KiB gzip: find what grew (wrangler deploy --dry-run --metafile) before shipping it.`);
  process.exit(1);
}
