import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));

/**
 * The browser suite: plain Node, a real local relay (wrangler's test harness) driven by Debian's headless
 * Chromium through playwright-core. Files are *.spec.ts so the workerd suite (test/**\/*.test.ts) never picks them up.
 */
export default defineConfig({
  test: {
    root,
    include: ['test/browser/**/*.spec.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 180_000,
    globalSetup: ['test/browser/global-setup.ts'],
  },
});
