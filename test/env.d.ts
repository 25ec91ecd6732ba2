import type { D1Migration } from 'cloudflare:test';

// The Worker's bindings and its main module come from src/worker-configuration.d.ts (wrangler types)
// and src/env.ts; the tests add the migrations test/vitest.config.ts reads.
declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
