import { asc } from 'drizzle-orm';
import { Hono } from 'hono';
import { basePathOf, publicPath } from '../base-path';
import { dbOf, tables } from '../db/client';
import type { Env } from '../env';
import { dollarsOf } from '../usage/money';
import { callAdmin } from './admin-api';
import { numberField, readForm, textField } from './form';
import { flashOf, Layout, PostForm, withFlash } from './layout';
import type { DashboardEnv } from './session';

type PriceRow = typeof tables.modelPrices.$inferSelect;

interface ModelRow {
  model: string;
  routes: Array<Pick<typeof tables.modelRoutes.$inferSelect, 'publicModel' | 'providerId' | 'upstreamModel' | 'contextWindow' | 'maxOutputTokens'>>;
  price: PriceRow | null;
}

/** Every public model that has a route or a price, with both. */
const modelRows = async (env: Env): Promise<ModelRow[]> => {
  const db = dbOf(env.DB);
  const [routes, prices] = await db.batch([
    db.select().from(tables.modelRoutes).orderBy(asc(tables.modelRoutes.publicModel)),
    db.select().from(tables.modelPrices).orderBy(asc(tables.modelPrices.model)),
  ]);
  const rows = new Map<string, ModelRow>();
  const rowOf = (model: string): ModelRow => {
    let row = rows.get(model);
    if (row === undefined) {
      row = { model, routes: [], price: null };
      rows.set(model, row);
    }
    return row;
  };
  for (const route of routes) rowOf(route.publicModel).routes.push(route);
  for (const price of prices) rowOf(price.model).price = price;
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
    return c.html(
      <Layout base={basePathOf(c.env)} title="Models & prices" active="/dashboard/models" csrfToken={c.var.csrfToken} flash={flashOf(c)}>
        <p class="small muted">A model without a price costs 0. Cache prices default to the input price. A price change applies to usage recorded after it.</p>
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
                  {row.routes.length === 0 ? <span class="muted">no route</span> : row.routes.map((route) => routeLabel(row.model, route)).join(', ')}
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
                  <input name={field.name} inputmode="decimal" required={field.name === 'inputPerMillion' || field.name === 'outputPerMillion'} />
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
    const body = Object.fromEntries(PRICE_FIELDS.map((field) => [field.name, numberField(form, field.name)]).filter(([, value]) => value !== undefined));
    const result = await callAdmin(c, 'PUT', `/prices/${encodeURIComponent(model)}`, body);
    return c.redirect(withFlash(publicPath(c.env, '/dashboard/models'), result.ok ? { kind: 'ok', message: `Price of ${model} saved.` } : { kind: 'error', message: result.message }), 303);
  })
  .post('/prices/delete', async (c) => {
    const model = textField(await readForm(c), 'model') ?? '';
    const result = await callAdmin(c, 'DELETE', `/prices/${encodeURIComponent(model)}`);
    return c.redirect(withFlash(publicPath(c.env, '/dashboard/models'), result.ok ? { kind: 'ok', message: `Price of ${model} removed.` } : { kind: 'error', message: result.message }), 303);
  });
