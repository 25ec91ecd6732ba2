import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));

/** The official-SDK suite: plain Node, driving a real local relay (wrangler's test harness) over HTTP. */
export default defineConfig({
  test: {
    root,
    include: ['test/clients/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    globalSetup: ['test/clients/global-setup.ts'],
  },
});
