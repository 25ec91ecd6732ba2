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
    },
  };
});
