import { eq } from 'drizzle-orm';
import { type Db, tables } from './client';

type ProviderRow = typeof tables.providers.$inferSelect;
type RouteRow = typeof tables.modelRoutes.$inferSelect;

/** The admin view of a provider: never the upstream key, only whether one is set. */
export const publicProviderView = (row: ProviderRow, routes: RouteRow[]) => ({
  id: row.id,
  protocol: row.protocol,
  baseUrl: row.baseUrl,
  hasApiKey: row.apiKeyEncrypted !== null,
  models: routes.map((route) => (route.upstreamModel === route.publicModel ? route.publicModel : { name: route.publicModel, upstream: route.upstreamModel })),
  priority: row.priority,
  weight: row.weight,
  headers: Object.keys(row.headers),
  enabled: row.enabled,
  firstByteTimeoutMs: row.firstByteTimeoutMs,
  idleTimeoutMs: row.idleTimeoutMs,
  createdAt: new Date(row.createdAt).toISOString(),
  updatedAt: new Date(row.updatedAt).toISOString(),
});

export const findProvider = async (db: Db, id: string) => {
  const [row] = await db.select().from(tables.providers).where(eq(tables.providers.id, id)).limit(1);
  if (row === undefined) return undefined;
  const routes = await db.select().from(tables.modelRoutes).where(eq(tables.modelRoutes.providerId, id));
  return publicProviderView(row, routes);
};

export const listProviders = async (db: Db) => {
  const [rows, routes] = await db.batch([db.select().from(tables.providers), db.select().from(tables.modelRoutes)]);
  return rows.map((row) => publicProviderView(row, routes.filter((route) => route.providerId === row.id)));
};
