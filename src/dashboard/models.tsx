import { asc } from 'drizzle-orm';
import { Hono } from 'hono';
import { basePathOf, publicPath } from '../base-path';
import { dbOf, tables } from '../db/client';
import type { Env } from '../env';
import { dollarsOf } from '../usage/money';
import { callAdmin } from './admin-api';
import { numberField, readForm, textField } from './form';
import { flashOf, Layout, Pill, PostForm, withFlash } from './layout';
import { isRoutePriced } from '../usage/unpriced-routes';
import type { DashboardEnv } from './session';

type PriceRow = typeof tables.modelPrices.$inferSelect;

interface ModelRow {
  model: string;
  routes: Array<Pick<typeof tables.modelRoutes.$inferSelect, 'publicModel' | 'providerId' | 'upstreamModel' | 'contextWindow' | 'maxOutputTokens'>>;
  price: PriceRow | null;
  /** For a name with no route of its own: the wildcard pattern that serves it. */
  via: string | null;
  /** Routed, but neither its public nor its upstream names have a price: its usage costs $0. */
  unpriced: boolean;
}

/** Every public model that has a route or a price, with both. */
const modelRows = async (env: Env): Promise<ModelRow[]> => {
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

const tokens = (count: number) => count.toLocaleString('en-US');

/** "openrouter → vendor/model (context 131,072 · output 4,096)": the provider, its upstream name when it renames, and declared limits. */
const routeLabel = (model: string, route: ModelRow['routes'][number]): string => {
  const limits = [route.contextWindow === null ? '' : `context ${tokens(route.contextWindow)}`, route.maxOutputTokens === null ? '' : `output ${tokens(route.maxOutputTokens)}`].filter(Boolean);
  return `${route.providerId}${route.upstreamModel === model ? '' : ` → ${route.upstreamModel}`}${limits.length === 0 ? '' : ` (${limits.join(' · ')})`}`;
};

const perMillion = (micros: number | undefined): string => (micros === undefined ? '—' : `$${dollarsOf(micros)}`);

const PRICE_FIELDS = [
  { name: 'inputPerMillion', label: 'Input $/1M', column: 'inputPerMillionMicros' },
  { name: 'outputPerMillion', label: 'Output $/1M', column: 'outputPerMillionMicros' },
  { name: 'cacheReadPerMillion', label: 'Cache read $/1M', column: 'cacheReadPerMillionMicros' },
  { name: 'cacheWritePerMillion', label: 'Cache write $/1M', column: 'cacheWritePerMillionMicros' },
  { name: 'perImage', label: '$/image', column: 'perImageMicros' },
] as const;

/** /dashboard/models: public models, the providers routing them, and their prices (PUT/DELETE /admin/prices/:model). */
export const modelPages = new Hono<DashboardEnv>()
  .get('/', async (c) => {
    const rows = await modelRows(c.env);
    const unpricedCount = rows.filter((row) => row.unpriced).length;
    return c.html(
      <Layout base={basePathOf(c.env)} title="Models & prices" active="/dashboard/models" csrfToken={c.var.csrfToken} flash={flashOf(c)}>
        <p class="small muted">
          A request is priced by its model's name, else by the upstream model its route names, so an alias costs what the model it reaches costs; a routed
          model with neither price costs $0 and is marked <em>unpriced</em>. Cache prices default to the input price; token prices default to 0 (an image model
          needs only $/image). A price change applies to usage recorded after it.
        </p>
        {unpricedCount > 0 ? (
          <div class="flash error">
            {unpricedCount} routed model{unpricedCount === 1 ? '' : 's'} without a price: {unpricedCount === 1 ? 'its' : 'their'} usage is recorded at $0.
          </div>
        ) : null}
        <table>
          <thead>
            <tr>
              <th>Model</th>
              <th>Served by</th>
              {PRICE_FIELDS.map((field) => (
                <th class="num">{field.label}</th>
              ))}
              <th></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr>
                <td>
                  <code>{row.model}</code>
                </td>
                <td class="small">
                  {row.routes.length > 0 ? row.routes.map((route) => routeLabel(row.model, route)).join(', ') : row.via === null ? <span class="muted">no route</span> : `via ${row.via}`}
                  {row.unpriced ? (
                    <>
                      {' '}
                      <Pill tone="warn">unpriced: costs $0</Pill>
                    </>
                  ) : null}
                </td>
                {PRICE_FIELDS.map((field) => (
                  <td class="num">{perMillion(row.price?.[field.column])}</td>
                ))}
                <td>
                  {row.price === null ? null : (
                    <PostForm action={publicPath(c.env, '/dashboard/models/prices/delete')} token={c.var.csrfToken} confirm={`Remove the price of ${row.model}?`} inline>
                      <input type="hidden" name="model" value={row.model} />
                      <button type="submit" class="danger">
                        Remove price
                      </button>
                    </PostForm>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Set a price</h2>
        <div class="card">
          <PostForm action={publicPath(c.env, '/dashboard/models/prices')} token={c.var.csrfToken}>
            <div class="grid">
              <label>
                Model
                <input name="model" required list="model-names" />
                <datalist id="model-names">
                  {rows.map((row) => (
                    <option value={row.model} />
                  ))}
                </datalist>
              </label>
              {PRICE_FIELDS.map((field) => (
                <label>
                  {field.label}
                  <input name={field.name} inputmode="decimal" />
                </label>
              ))}
            </div>
            <p>
              <button type="submit">Save price</button>
            </p>
          </PostForm>
        </div>
      </Layout>,
    );
  })
  .post('/prices', async (c) => {
    const form = await readForm(c);
    const model = textField(form, 'model') ?? '';
    const body = Object.fromEntries(PRICE_FIELDS.map((field): [string, unknown] => [field.name, numberField(form, field.name)]).filter(([, value]) => value !== undefined));
    const result = await callAdmin(c, 'PUT', `/prices/${encodeURIComponent(model)}`, body);
    return c.redirect(withFlash(publicPath(c.env, '/dashboard/models'), result.ok ? { kind: 'ok', message: `Price of ${model} saved.` } : { kind: 'error', message: result.message }), 303);
  })
  .post('/prices/delete', async (c) => {
    const model = textField(await readForm(c), 'model') ?? '';
    const result = await callAdmin(c, 'DELETE', `/prices/${encodeURIComponent(model)}`);
    return c.redirect(withFlash(publicPath(c.env, '/dashboard/models'), result.ok ? { kind: 'ok', message: `Price of ${model} removed.` } : { kind: 'error', message: result.message }), 303);
  });
