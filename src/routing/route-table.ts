import { eq } from 'drizzle-orm';
import { openHeaders } from '../crypto/provider-secrets';
import { dbOf, tables } from '../db/client';
import { refreshingValue, type BackgroundContext } from '../cache/refreshing-value';
import { configOf, type Env } from '../env';
import { modelProfileOf } from './model-profile';
import type { ModelProfile, ProviderConfig } from './provider';

export interface RouteEntry {
  /** Public model name; a trailing `*` matches any suffix (the upstream then gets the requested name). */
  publicModel: string;
  upstreamModel: string;
  provider: ProviderConfig;
  /** Limits and request spelling as stored; wildcard routes re-derive the field for the requested name. */
  model: ModelProfile;
  outputTokenFieldSet: boolean;
}

export interface RouteTable {
  routes: RouteEntry[];
  providers: ProviderConfig[];
}

/**
 * Enabled providers and their model routes, cached per isolate so the hot path does not read D1. A
 * table older than ROUTE_TABLE_FRESH_MS is still served while one refresh runs in the background (the
 * request's waitUntil); only a cold isolate, or one whose table passed ROUTE_TABLE_MAX_STALE_MS, waits
 * for D1. So an admin change reaches a busy isolate about FRESH_MS after it is made (the request after
 * that sees it), and any isolate within MAX_STALE_MS; the isolate that served the write sees it at once.
 */
export const ROUTE_TABLE_FRESH_MS = 5_000;
export const ROUTE_TABLE_MAX_STALE_MS = 30_000;
const cached = refreshingValue<RouteTable>(ROUTE_TABLE_FRESH_MS, ROUTE_TABLE_MAX_STALE_MS);

export const invalidateRouteTable = (): void => cached.invalidate();

export const loadRouteTable = (env: Env, now = Date.now(), background?: BackgroundContext): Promise<RouteTable> =>
  cached.get(now, () => readRouteTable(env), background);

/** D1 read replication: a route-table read may be served by the nearest replica (any recent state is fine here). */
const readSessionOf = (db: D1Database): D1Database =>
  typeof db.withSession === 'function' ? (db.withSession('first-unconstrained') as unknown as D1Database) : db;

const readRouteTable = async (env: Env): Promise<RouteTable> => {
  const db = dbOf(readSessionOf(env.DB));
  const [providerRows, routeRows] = await db.batch([
    db.select().from(tables.providers).where(eq(tables.providers.enabled, true)),
    db.select().from(tables.modelRoutes),
  ]);
  const providers = new Map<string, ProviderConfig>();
  const mockEnabled = configOf(env).mockProviderEnabled;
  for (const row of providerRows) {
    if (row.protocol === 'mock' && !mockEnabled) continue;
    const headers = await openHeaders(env.ENCRYPTION_KEY, row, row.headers).catch((error: unknown) => {
      // A header that does not open (rotated ENCRYPTION_KEY, a row edited by hand) takes its provider out, not the table.
      console.error(JSON.stringify({ message: 'provider headers could not be opened; provider skipped', providerId: row.id, error: String(error) }));
      return null;
    });
    if (headers === null) continue;
    providers.set(row.id, {
      id: row.id,
      protocol: row.protocol,
      baseUrl: row.baseUrl,
      apiKeyEncrypted: row.apiKeyEncrypted,
      priority: row.priority,
      weight: row.weight,
      headers,
      firstByteTimeoutMs: row.firstByteTimeoutMs,
      idleTimeoutMs: row.idleTimeoutMs,
      maxRetries: row.maxRetries,
    });
  }
  const routes: RouteEntry[] = [];
  for (const row of routeRows) {
    const provider = providers.get(row.providerId);
    if (provider === undefined) continue;
    routes.push({
      publicModel: row.publicModel,
      upstreamModel: row.upstreamModel,
      provider,
      model: modelProfileOf(row.upstreamModel, row),
      outputTokenFieldSet: row.outputTokenField !== null,
    });
  }
  return { routes, providers: [...providers.values()] };
};
