import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, 'schema/migrations'));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: path.join(root, 'wrangler.toml') },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            ADMIN_TOKEN: 'test-admin-token',
            ENCRYPTION_KEY: 'test-encryption-key',
            WEBHOOK_SECRET: 'test-webhook-secret',
            ALLOW_PRIVATE_URLS: 'true',
            ENABLE_MOCK_PROVIDER: 'true',
            // The suites use short, readable secrets; DEV_MODE is what lets them through (see src/auth/admin-token.ts).
            DEV_MODE: 'true',
            // Usage folded in every consumer batch, so a test reads rollups and balances as soon as the queue delivers.
            USAGE_FOLD_SECONDS: '0',
          },
        },
      }),
    ],
    test: {
      root,
      include: ['test/**/*.test.ts'],
      exclude: ['test/clients/**', 'node_modules/**'],
      setupFiles: ['test/setup/apply-migrations.ts', 'test/setup/quiet-request-log.ts'],
      testTimeout: 20_000,
      // Each test file starts its own workerd and loads the Worker's module graph into it. Vitest's
      // default on a 2-core machine is one worker, which leaves a core idle while the other waits on
      // module round trips; two keep both busy (bigger machines keep Vitest's cores - 1).
      maxWorkers: Math.max(2, availableParallelism() - 1),
      deps: {
        // Pre-bundled once per run, so a file loads each of these as a few modules instead of
        // hundreds of small ones (drizzle-orm alone is ~100 files). A dependency left off still works,
        // just unbundled.
        optimizer: {
          ssr: {
            enabled: true,
            include: [
              'zod', 'zod/mini', 'zod/v4/core', 'zod/locales',
              'hono', 'hono/body-limit', 'hono/cookie', 'hono/html', 'hono/request-id', 'hono/streaming', 'hono/utils/html', 'hono/utils/url', 'hono/jsx/jsx-runtime',
              'drizzle-orm', 'drizzle-orm/batch', 'drizzle-orm/d1', 'drizzle-orm/sqlite-core',
            ],
          },
        },
      },
    },
  };
});
