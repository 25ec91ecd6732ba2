import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { isProviderHealthy } from '../routing/provider-health';
import { loadRouteTable } from '../routing/route-table';

/** GET /health (no auth): 200 while any enabled provider is healthy, else 503, with the per-provider map. */
export const healthRoutes = new Hono<AppEnv>().get('/health', async (c) => {
  const now = Date.now();
  const table = await loadRouteTable(c.env, now);
  const providers: Record<string, boolean> = {};
  for (const provider of table.providers) providers[provider.id] = isProviderHealthy(provider.id, now);
  const healthy = Object.values(providers).some(Boolean);
  return c.json({ status: healthy ? 'ok' : 'unavailable', providers }, healthy ? 200 : 503);
});
