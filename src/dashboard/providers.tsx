import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { basePathOf, publicPath } from '../base-path';
import { providerCreateSchema, providerUpdateSchema } from '../admin/provider-schema';
import { createProvider, deleteProvider, findProviderById, listProviders, updateProvider, type ProviderView } from '../admin/services/providers';
import { parseAdminInput } from '../admin/validate';
import { isProviderHealthy } from '../routing/provider-health';
import { PROVIDER_PROTOCOLS } from '../routing/provider';
import { runAdminAction } from './admin-action';
import { checked, numberField, readForm, textField, type FormData } from './form';
import { flashOf, Layout, Pill, PostForm, withFlash } from './layout';
import { formatModelLine, parseModelLines } from './model-lines';
import type { Env } from '../env';
import type { DashboardEnv } from './session';

const modelsText = (provider: ProviderView): string => provider.models.map(formatModelLine).join('\n');

/** The list page names a few models and counts the rest: a gateway lists hundreds. */
const LISTED_MODELS = 5;
const modelsSummary = (provider: ProviderView): string => {
  const names = provider.models.slice(0, LISTED_MODELS).map((model) => (typeof model === 'string' ? model : model.name));
  const more = provider.models.length - names.length;
  return more > 0 ? `${provider.models.length.toLocaleString('en-US')} models: ${names.join(', ')}, …` : names.join(', ');
};

/** The admin input for a create or an edit, as the admin API would take it as JSON; an empty API key field keeps the stored key. */
const providerBody = (form: FormData, mode: 'create' | 'edit'): Record<string, unknown> => {
  const body: Record<string, unknown> = {
    protocol: textField(form, 'protocol'),
    baseUrl: textField(form, 'baseUrl'),
    apiKey: textField(form, 'apiKey'),
    models: parseModelLines(textField(form, 'models')),
    priority: numberField(form, 'priority'),
    weight: numberField(form, 'weight'),
    enabled: checked(form, 'enabled'),
    firstByteTimeoutMs: numberField(form, 'firstByteTimeoutMs'),
    idleTimeoutMs: numberField(form, 'idleTimeoutMs'),
    maxRetries: numberField(form, 'maxRetries'),
  };
  if (mode === 'create') body.id = textField(form, 'id') ?? '';
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
};

const ProviderFields: FC<{ current?: ProviderView }> = ({ current }) => (
  <div class="grid">
    {current === undefined ? (
      <label>
        Id
        <input name="id" required pattern="[a-z0-9][a-z0-9_.\-]{0,63}" placeholder="anthropic" />
      </label>
    ) : null}
    <label>
      Protocol
      <select name="protocol">
        {PROVIDER_PROTOCOLS.map((protocol) => (
          <option value={protocol} selected={current?.protocol === protocol}>
            {protocol}
          </option>
        ))}
      </select>
    </label>
    <label>
      Base URL
      <input name="baseUrl" required value={current?.baseUrl} placeholder="https://api.anthropic.com" />
    </label>
    <label>
      Upstream API key {current?.hasApiKey ? '(stored; leave empty to keep it)' : ''}
      <input name="apiKey" type="password" autocomplete="off" />
    </label>
    <label>
      Models, one per line: name, or public=upstream to rename; optionally context=N max_output=N field=max_tokens|max_completion_tokens
      <textarea name="models" required rows={Math.min(20, Math.max(4, current?.models.length ?? 0))}>
        {current === undefined ? '' : modelsText(current)}
      </textarea>
    </label>
    <label>
      Priority (lower first)
      <input name="priority" inputmode="numeric" value={String(current?.priority ?? 0)} />
    </label>
    <label>
      Weight
      <input name="weight" inputmode="numeric" value={String(current?.weight ?? 1)} />
    </label>
    <label>
      First-byte timeout (ms)
      <input name="firstByteTimeoutMs" inputmode="numeric" value={current?.firstByteTimeoutMs === null ? '' : String(current?.firstByteTimeoutMs ?? '')} />
    </label>
    <label>
      Idle timeout (ms)
      <input name="idleTimeoutMs" inputmode="numeric" value={current?.idleTimeoutMs === null ? '' : String(current?.idleTimeoutMs ?? '')} />
    </label>
    <label>
      Retries on 5xx before the first byte (empty = 2)
      <input name="maxRetries" inputmode="numeric" value={current?.maxRetries === null ? '' : String(current?.maxRetries ?? '')} />
    </label>
    <label class="check">
      <input type="checkbox" name="enabled" value="on" checked={current?.enabled ?? true} /> enabled
    </label>
  </div>
);

const HealthPill: FC<{ provider: ProviderView; now: number }> = ({ provider, now }) => {
  if (!provider.enabled) return <Pill tone="warn">disabled</Pill>;
  return isProviderHealthy(provider.id, now) ? <Pill tone="good">healthy</Pill> : <Pill tone="bad">circuit open</Pill>;
};

const providerPath = (env: Env, id: string) => publicPath(env, `/dashboard/providers/${encodeURIComponent(id)}`);

/** /dashboard/providers: upstream keys are write-only here, as in the admin API (only "stored" is shown). */
export const providerPages = new Hono<DashboardEnv>()
  .get('/', async (c) => {
    const providers = await listProviders(c.env);
    const now = Date.now();
    return c.html(
      <Layout base={basePathOf(c.env)} title="Providers" active="/dashboard/providers" csrfToken={c.var.csrfToken} flash={flashOf(c)}>
        <p class="small muted">Health is this isolate's circuit breaker (5 failures in a row open it for 30 s); other isolates keep their own.</p>
        <table>
          <thead>
            <tr>
              <th>Id</th>
              <th>Protocol / base URL</th>
              <th>Models</th>
              <th class="num">Priority</th>
              <th class="num">Weight</th>
              <th>Upstream key</th>
              <th>Health</th>
            </tr>
          </thead>
          <tbody>
            {providers.map((provider) => (
              <tr>
                <td>
                  <a href={providerPath(c.env, provider.id)}>{provider.id}</a>
                </td>
                <td>
                  {provider.protocol}
                  <div class="small muted">{provider.baseUrl}</div>
                </td>
                <td class="small">{modelsSummary(provider)}</td>
                <td class="num">{provider.priority}</td>
                <td class="num">{provider.weight}</td>
                <td>{provider.hasApiKey ? <Pill>stored</Pill> : <span class="muted">none</span>}</td>
                <td>
                  <HealthPill provider={provider} now={now} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Add a provider</h2>
        <div class="card">
          <PostForm action={publicPath(c.env, '/dashboard/providers')} token={c.var.csrfToken}>
            <ProviderFields />
            <p>
              <button type="submit">Add provider</button>
            </p>
          </PostForm>
        </div>
      </Layout>,
    );
  })
  .post('/', async (c) => {
    const form = await readForm(c);
    const result = await runAdminAction(() => createProvider(c.env, parseAdminInput(providerBody(form, 'create'), providerCreateSchema)));
    if (!result.ok) return c.redirect(withFlash(publicPath(c.env, '/dashboard/providers'), { kind: 'error', message: result.message }), 303);
    return c.redirect(withFlash(publicPath(c.env, '/dashboard/providers'), { kind: 'ok', message: `Provider ${textField(form, 'id')} added.` }), 303);
  })
  .get('/:id', async (c) => {
    const provider = await findProviderById(c.env, c.req.param('id'));
    if (provider === null) return c.redirect(withFlash(publicPath(c.env, '/dashboard/providers'), { kind: 'error', message: `provider "${c.req.param('id')}" not found` }), 303);
    const path = providerPath(c.env, provider.id);
    return c.html(
      <Layout base={basePathOf(c.env)} title={`Provider: ${provider.id}`} active="/dashboard/providers" csrfToken={c.var.csrfToken} flash={flashOf(c)}>
        <p>
          <HealthPill provider={provider} now={Date.now()} /> <span class="small muted">extra headers: {provider.headers.length === 0 ? 'none' : provider.headers.join(', ')}</span>
        </p>
        <div class="card">
          <PostForm action={path} token={c.var.csrfToken}>
            <ProviderFields current={provider} />
            <p>
              <button type="submit">Save changes</button>
            </p>
          </PostForm>
        </div>
        <PostForm action={`${path}/enabled`} token={c.var.csrfToken} inline>
          <input type="hidden" name="enabled" value={provider.enabled ? 'false' : 'true'} />
          <button type="submit" class="secondary">
            {provider.enabled ? 'Disable' : 'Enable'}
          </button>
        </PostForm>{' '}
        <PostForm action={`${path}/delete`} token={c.var.csrfToken} confirm={`Delete provider ${provider.id} and its model routes?`} inline>
          <button type="submit" class="danger">
            Delete
          </button>
        </PostForm>
      </Layout>,
    );
  })
  .post('/:id', async (c) => {
    const id = c.req.param('id');
    const form = await readForm(c);
    const result = await runAdminAction(() => updateProvider(c.env, id, parseAdminInput(providerBody(form, 'edit'), providerUpdateSchema)));
    return c.redirect(withFlash(providerPath(c.env, id), result.ok ? { kind: 'ok', message: 'Provider updated.' } : { kind: 'error', message: result.message }), 303);
  })
  .post('/:id/enabled', async (c) => {
    const id = c.req.param('id');
    const enabled = textField(await readForm(c), 'enabled') === 'true';
    const result = await runAdminAction(() => updateProvider(c.env, id, { enabled }));
    const message = result.ok ? `Provider ${enabled ? 'enabled' : 'disabled'}.` : result.message;
    return c.redirect(withFlash(providerPath(c.env, id), { kind: result.ok ? 'ok' : 'error', message }), 303);
  })
  .post('/:id/delete', async (c) => {
    const id = c.req.param('id');
    const result = await runAdminAction(() => deleteProvider(c.env, id));
    return c.redirect(withFlash(publicPath(c.env, '/dashboard/providers'), result.ok ? { kind: 'ok', message: `Provider ${id} deleted.` } : { kind: 'error', message: result.message }), 303);
  });
