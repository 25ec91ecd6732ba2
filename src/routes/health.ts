import { Hono } from 'hono';
import { adminTokenState, bearerTokenOf, isAdminToken } from '../auth/admin-token';
import { throttleBucketOf, loginLockedFor, recordLoginFailure } from '../auth/login-throttle';
import { configOf, type AppEnv } from '../env';
import { providerHealth } from '../routing/provider-health';
import { loadRouteTable } from '../routing/route-table';

const iso = (epochMs: number | undefined): string | undefined => (epochMs === undefined ? undefined : new Date(epochMs).toISOString());

/**
 * GET /health: 200 while any enabled provider is healthy, else 503. Anyone gets `{status}`; the
 * per-provider map (ids, breaker state, consecutive failures, until when open or rate-limited) names
 * the upstreams and shows when they are weak, so it needs the admin token. The breaker lives in
 * isolate memory (see routing/provider-health.ts), so this is the answering isolate's view.
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
  const status = healthy ? 200 : 503;
  const summary = { status: healthy ? 'ok' : 'unavailable' };
  const presented = bearerTokenOf(c.req.header('authorization'));
  if (presented === undefined) return c.json(summary, status);
  const ip = throttleBucketOf(c.req.raw, configOf(c.env).devMode);
  if ((await loginLockedFor(c.env.TASKS, ip, now)) !== null) return c.json(summary, status);
  if (!isAdminToken(adminTokenState(c.env), presented)) {
    await recordLoginFailure(c.env.TASKS, ip, now);
    return c.json(summary, status);
  }
  return c.json({ ...summary, providers }, status);
});
