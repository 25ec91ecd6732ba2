import { type Db, tables } from '../db/client';

export interface PricedRoute {
  publicModel: string;
  upstreamModel: string;
}

/** Every model name that has a price row. */
export const pricedModelNames = async (db: Db): Promise<Set<string>> =>
  new Set((await db.select({ model: tables.modelPrices.model }).from(tables.modelPrices)).map((row) => row.model));

/**
 * Whether requests over this route are priced: by the public name, else by the upstream name (see
 * priceOf). A wildcard route passes concrete names, so it counts as priced when some priced name
 * falls under its pattern.
 */
export const isRoutePriced = (route: PricedRoute, priced: ReadonlySet<string>): boolean => {
  if (priced.has(route.publicModel) || priced.has(route.upstreamModel)) return true;
  if (!route.publicModel.endsWith('*')) return false;
  const prefix = route.publicModel.slice(0, -1);
  for (const name of priced) if (name.startsWith(prefix)) return true;
  return false;
};

/** One line per route whose usage would be recorded at $0, for an operator to act on. */
export const unpricedRouteWarnings = (routes: readonly PricedRoute[], priced: ReadonlySet<string>): string[] =>
  routes
    .filter((route) => !isRoutePriced(route, priced))
    .map((route) =>
      route.publicModel === route.upstreamModel
        ? `model "${route.publicModel}" has no price: its usage costs $0 (PUT /admin/prices/${route.publicModel})`
        : `model "${route.publicModel}" (upstream "${route.upstreamModel}") has no price under either name: its usage costs $0`,
    );
