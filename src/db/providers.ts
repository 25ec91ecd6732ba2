import { eq } from 'drizzle-orm';
import { type Db, tables } from './client';

type ProviderRow = typeof tables.providers.$inferSelect;
type RouteRow = typeof tables.modelRoutes.$inferSelect;

/** A model route as the admin API takes it: a bare name unless it renames or carries limits. */
const modelEntryOf = (route: RouteRow) => {
  const extra = {
    ...(route.contextWindow === null ? {} : { contextWindow: route.contextWindow }),
    ...(route.maxOutputTokens === null ? {} : { maxOutputTokens: route.maxOutputTokens }),
    ...(route.outputTokenField === null ? {} : { outputTokenField: route.outputTokenField }),
  };
  if (route.upstreamModel === route.publicModel && Object.keys(extra).length === 0) return route.publicModel;
  return { name: route.publicModel, ...(route.upstreamModel === route.publicModel ? {} : { upstream: route.upstreamModel }), ...extra };
};

/** The admin view of a provider: never the upstream key, only whether one is set. */
export const publicProviderView = (row: ProviderRow, routes: RouteRow[]) => ({
  id: row.id,
  protocol: row.protocol,
  baseUrl: row.baseUrl,
  hasApiKey: row.apiKeyEncrypted !== null,
  models: routes.map(modelEntryOf),
  priority: row.priority,
  weight: row.weight,
  headers: Object.keys(row.headers),
  enabled: row.enabled,
  firstByteTimeoutMs: row.firstByteTimeoutMs,
  idleTimeoutMs: row.idleTimeoutMs,
  maxRetries: row.maxRetries,
  createdAt: new Date(row.createdAt).toISOString(),
  updatedAt: new Date(row.updatedAt).toISOString(),
});

export const findProvider = async (db: Db, id: string) => {
  const [row] = await db.select().from(tables.providers).where(eq(tables.providers.id, id)).limit(1);
  if (row === undefined) return undefined;
  const routes = await db.select().from(tables.modelRoutes).where(eq(tables.modelRoutes.providerId, id));
  return publicProviderView(row, routes);
};

/** Routes grouped once: filtering every provider's out of all routes is providers × routes, slow for large catalogs. */
export const listProviders = async (db: Db) => {
  const [rows, routes] = await db.batch([db.select().from(tables.providers), db.select().from(tables.modelRoutes)]);
  const routesByProvider = new Map<string, RouteRow[]>();
  for (const route of routes) {
    const group = routesByProvider.get(route.providerId);
    if (group === undefined) routesByProvider.set(route.providerId, [route]);
    else group.push(route);
  }
  return rows.map((row) => publicProviderView(row, routesByProvider.get(row.id) ?? []));
};
