import { eq } from 'drizzle-orm';
import { openHeaders } from '../crypto/provider-secrets';
import { dbOf, tables } from '../db/client';
import { forgetColo, throughColo } from '../cache/colo-cache';
import { refreshingValue, type BackgroundContext, type LoadRequest, type Timed } from '../cache/refreshing-value';
import { readSessionOf } from '../db/read-session';
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
 * request's waitUntil); only a cold isolate, or one whose table passed ROUTE_TABLE_MAX_STALE_MS, waits.
 * A cold isolate first takes its colo's copy (younger than ROUTE_TABLE_COLO_TTL_MS; it keeps its D1 read
 * time), else reads D1 through a replica. So an admin change reaches a busy isolate about FRESH_MS after
 * it is made (the request after that sees it), and any isolate within MAX_STALE_MS; the isolate that
 * served the write, and new isolates in its colo, see it at once.
 */
export const ROUTE_TABLE_FRESH_MS = 5_000;
export const ROUTE_TABLE_MAX_STALE_MS = 30_000;
const ROUTE_TABLE_COLO_TTL_MS = 15_000;
/** The colo keeps D1's rows, not the table: provider headers stay sealed outside the isolate. Bump on a row shape change. */
const COLO_NAME = 'route-rows/v1';
const cached = refreshingValue<RouteTable>(ROUTE_TABLE_FRESH_MS, ROUTE_TABLE_MAX_STALE_MS);

/** Drops this isolate's table (its next request loads one). */
export const invalidateRouteTable = (): void => cached.invalidate();

/** After an admin write to providers or routes: this isolate and this colo read D1 on the next request. */
export const forgetRouteTable = async (): Promise<void> => {
  cached.invalidate();
  await forgetColo(COLO_NAME);
};

export const loadRouteTable = (env: Env, now = Date.now(), background?: BackgroundContext): Promise<RouteTable> =>
  cached.get(now, (request) => loadTable(env, request, background), background);

const loadTable = async (env: Env, request: LoadRequest, background?: BackgroundContext): Promise<Timed<RouteTable>> => {
  const rows = await throughColo({ name: COLO_NAME, ttlMs: () => ROUTE_TABLE_COLO_TTL_MS, read: () => readRouteRows(env) }, background)(request);
  return { value: await buildRouteTable(env, rows.value), readAt: rows.readAt };
};

const readRouteRows = async (env: Env) => {
  const db = dbOf(readSessionOf(env.DB));
  const [providers, routes] = await db.batch([db.select().from(tables.providers).where(eq(tables.providers.enabled, true)), db.select().from(tables.modelRoutes)]);
  return { providers, routes };
};

const buildRouteTable = async (env: Env, { providers: providerRows, routes: routeRows }: Awaited<ReturnType<typeof readRouteRows>>): Promise<RouteTable> => {
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
