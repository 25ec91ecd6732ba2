import { asc } from 'drizzle-orm';
import { dbOf, tables } from '../../db/client';
import type { Env } from '../../env';
import { isRoutePriced } from '../../usage/unpriced-routes';

type PriceRow = typeof tables.modelPrices.$inferSelect;

export interface ModelRow {
  model: string;
  routes: Array<Pick<typeof tables.modelRoutes.$inferSelect, 'publicModel' | 'providerId' | 'upstreamModel' | 'contextWindow' | 'maxOutputTokens'>>;
  price: PriceRow | null;
  /** For a name with no route of its own: the wildcard pattern that serves it. */
  via: string | null;
  /** Routed, but neither its public nor its upstream names have a price: its usage costs $0. */
  unpriced: boolean;
}

/** Every public model that has a route or a price, with both (the dashboard's models page). */
export const modelCatalog = async (env: Env): Promise<ModelRow[]> => {
  const db = dbOf(env.DB);
  const [routes, prices, providers] = await db.batch([
    db.select().from(tables.modelRoutes).orderBy(asc(tables.modelRoutes.publicModel)),
    db.select().from(tables.modelPrices).orderBy(asc(tables.modelPrices.model)),
    db.select({ id: tables.providers.id, protocol: tables.providers.protocol }).from(tables.providers),
  ]);
  const rows = new Map<string, ModelRow>();
  const rowOf = (model: string): ModelRow => {
    let row = rows.get(model);
    if (row === undefined) {
      row = { model, routes: [], price: null, via: null, unpriced: false };
      rows.set(model, row);
    }
    return row;
  };
  for (const route of routes) rowOf(route.publicModel).routes.push(route);
  for (const price of prices) rowOf(price.model).price = price;
  const priced = new Set(prices.map((price) => price.model));
  const patterns = routes.map((route) => route.publicModel).filter((name) => name.endsWith('*'));
  const mockProviders = new Set(providers.filter((provider) => provider.protocol === 'mock').map((provider) => provider.id));
  for (const row of rows.values()) {
    if (row.routes.length === 0) row.via = patterns.find((pattern) => row.model.startsWith(pattern.slice(0, -1))) ?? null;
    // The built-in mock is free by design.
    const paid = row.routes.filter((route) => !mockProviders.has(route.providerId));
    row.unpriced = paid.some((route) => !isRoutePriced(route, priced));
  }
  return [...rows.values()].sort((a, b) => a.model.localeCompare(b.model));
};
