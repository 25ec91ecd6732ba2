import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { providerHealth } from '../routing/provider-health';
import { loadRouteTable } from '../routing/route-table';

const iso = (epochMs: number | undefined): string | undefined => (epochMs === undefined ? undefined : new Date(epochMs).toISOString());

/**
 * GET /health (no auth): 200 while any enabled provider is healthy, else 503, with the per-provider
 * map (breaker state, consecutive failures, and until when it is open or rate-limited). The breaker
 * lives in isolate memory (see routing/provider-health.ts), so this is the answering isolate's view.
 */
export const healthRoutes = new Hono<AppEnv>().get('/health', async (c) => {
  const now = Date.now();
  const table = await loadRouteTable(c.env, now);
  const providers: Record<string, { healthy: boolean; state: string; consecutiveFailures: number; openUntil?: string; rateLimitedUntil?: string }> = {};
  for (const provider of table.providers) {
    const health = providerHealth(provider.id, now);
    providers[provider.id] = {
      healthy: health.healthy,
      state: health.state,
      consecutiveFailures: health.consecutiveFailures,
      openUntil: iso(health.openUntil),
      rateLimitedUntil: iso(health.rateLimitedUntil),
    };
  }
  const healthy = Object.values(providers).some((provider) => provider.healthy);
  return c.json({ status: healthy ? 'ok' : 'unavailable', providers }, healthy ? 200 : 503);
});
