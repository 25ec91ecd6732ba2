import { Hono } from 'hono';
import { basePathOf, publicPath } from '../base-path';
import { modelCatalog, type ModelRow } from '../admin/services/model-catalog';
import { dollarsOf } from '../usage/money';
import { priceSchema } from '../admin/price-schema';
import { deletePrice, setPrice } from '../admin/services/prices';
import { parseAdminInput } from '../admin/validate';
import { runAdminAction } from './admin-action';
import { numberField, readForm, textField } from './form';
import { flashOf, Layout, Pill, PostForm, withFlash } from './layout';
import type { DashboardEnv } from './session';

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
    const rows = await modelCatalog(c.env);
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
    const result = await runAdminAction(() => setPrice(c.env, model, parseAdminInput(body, priceSchema)));
    return c.redirect(withFlash(publicPath(c.env, '/dashboard/models'), result.ok ? { kind: 'ok', message: `Price of ${model} saved.` } : { kind: 'error', message: result.message }), 303);
  })
  .post('/prices/delete', async (c) => {
    const model = textField(await readForm(c), 'model') ?? '';
    const result = await runAdminAction(() => deletePrice(c.env, model));
    return c.redirect(withFlash(publicPath(c.env, '/dashboard/models'), result.ok ? { kind: 'ok', message: `Price of ${model} removed.` } : { kind: 'error', message: result.message }), 303);
  });
