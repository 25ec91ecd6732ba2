import { eq } from 'drizzle-orm';
import { openHeaders } from '../crypto/provider-secrets';
import { dbOf, tables } from '../db/client';
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
 * Enabled providers and their model routes, cached per isolate for a few seconds so the hot path
 * does not read D1 on every request. Admin writes call invalidateRouteTable(): the isolate that
 * served the write sees the change on the next request, others within ROUTE_TABLE_TTL_MS.
 */
const ROUTE_TABLE_TTL_MS = 5_000;
let cached: { table: Promise<RouteTable>; expires: number } | undefined;

export const invalidateRouteTable = (): void => {
  cached = undefined;
};

export const loadRouteTable = (env: Env, now = Date.now()): Promise<RouteTable> => {
  if (cached !== undefined && cached.expires > now) return cached.table;
  const table = readRouteTable(env);
  cached = { table, expires: now + ROUTE_TABLE_TTL_MS };
  table.catch(() => invalidateRouteTable());
  return table;
};

const readRouteTable = async (env: Env): Promise<RouteTable> => {
  const db = dbOf(env.DB);
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
