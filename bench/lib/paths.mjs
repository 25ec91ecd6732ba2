import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(BENCH, '..');
/** Scratch output (gitignored): builds, bundles, peer HOME, raw JSON results. */
export const SCRATCH = path.join(BENCH, '.results');
