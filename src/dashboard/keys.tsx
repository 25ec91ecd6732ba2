import { Hono } from 'hono';
import { basePathOf, publicBaseUrl, publicPath } from '../base-path';
import { AGENT_API_PATHS } from '../routes/agent-paths';
import { listAccountPage } from '../admin/services/accounts';
import { keyCreateSchema, keyUpdateSchema } from '../admin/key-schema';
import { createKey, findKeyWithQuota, listKeysWithQuota, resetKeyQuota, revokeKey, updateKey } from '../admin/services/keys';
import { parseAdminInput } from '../admin/validate';
import { runAdminAction } from './admin-action';
import { listField, numberField, readForm, splitNames, textField, type FormData } from './form';
import { CreatedKey, KeyFields, KeyTable, keyState, QUOTA_OVERRIDE_FIELDS, QuotaSummary } from './keys-views';
import { flashOf, formatIso, Layout, Pill, PostForm, withFlash } from './layout';
import type { DashboardEnv } from './session';

/** The form takes "2026-12-31 23:59" (or with a T) with no zone; the dashboard states that it means UTC. */
const expiresAtOf = (form: FormData): string | undefined => {
  const value = textField(form, 'expiresAt')?.replace(' ', 'T');
  if (value === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? `${value}:00Z` : value;
};

/** The override fields: a number sets it, `none` makes it unlimited, empty leaves the plan's value. */
const quotaOverridesOf = (form: FormData): Record<string, number | string | null> => {
  const overrides: Record<string, number | string | null> = {};
  for (const [field] of QUOTA_OVERRIDE_FIELDS) {
    const text = textField(form, field);
    if (text === undefined) continue;
    overrides[field] = text.toLowerCase() === 'none' ? null : (numberField(form, field) ?? null);
  }
  return overrides;
};

/** The admin input for a create, or for an edit (cleared fields become null), as the admin API would take it as JSON. */
const keyBody = (form: FormData, mode: 'create' | 'edit'): Record<string, unknown> => {
  const clear = mode === 'edit' ? null : undefined;
  const models = splitNames(textField(form, 'models'));
  const body: Record<string, unknown> = {
    name: textField(form, 'name') ?? '',
    kind: textField(form, 'kind'),
    plan: textField(form, 'plan'),
    billing: textField(form, 'billing'),
    scopes: listField(form, 'scopes'),
    models: models.length === 0 ? clear : models,
    monthlySpendCap: numberField(form, 'monthlySpendCap') ?? clear,
    expiresAt: expiresAtOf(form) ?? clear,
  };
  const overrides = quotaOverridesOf(form);
  if (mode === 'edit' || Object.keys(overrides).length > 0) body.quotaOverrides = overrides;
  if (mode === 'create') body.accountId = textField(form, 'accountId');
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
};

const accountChoices = async (c: { env: DashboardEnv['Bindings'] }) => (await listAccountPage(c.env, null, 500)).data.map((account) => ({ id: account.id, name: account.name }));

/** /dashboard/keys: list, create (plaintext shown once), edit, revoke, quota reset. */
/** The create-key form under the key table. */
const CreateKeyForm = (props: { title: string; accounts: Parameters<typeof KeyFields>[0]['accounts']; csrfToken: string; base: string }) => (
  <>
    <h2>{props.title}</h2>
    <div class="card">
      <PostForm action={`${props.base}/dashboard/keys`} token={props.csrfToken}>
        <KeyFields accounts={props.accounts} />
        <p>
          <button type="submit">Create key</button>
        </p>
      </PostForm>
    </div>
  </>
);

export const keyPages = new Hono<DashboardEnv>()
  .get('/', async (c) => {
    const now = Date.now();
    const [keys, accounts] = await Promise.all([listKeysWithQuota(c.env, now), accountChoices(c)]);
    return c.html(
      <Layout base={basePathOf(c.env)} title="API keys" active="/dashboard/keys" csrfToken={c.var.csrfToken} flash={flashOf(c)}>
        <KeyTable base={basePathOf(c.env)} keys={keys} csrfToken={c.var.csrfToken} now={now} />
        <CreateKeyForm base={basePathOf(c.env)} title="Create a key" accounts={accounts} csrfToken={c.var.csrfToken} />
      </Layout>,
    );
  })
  .post('/', async (c) => {
    const form = await readForm(c);
    const result = await runAdminAction(() => createKey(c.env, parseAdminInput(keyBody(form, 'create'), keyCreateSchema)));
    if (!result.ok) return c.redirect(withFlash(publicPath(c.env, '/dashboard/keys'), { kind: 'error', message: result.message }), 303);
    const created = result.value;
    const now = Date.now();
    const [keys, accounts] = await Promise.all([listKeysWithQuota(c.env, now), accountChoices(c)]);
    // Rendered in the POST response, never stored or redirected with: reloading cannot show the key again.
    return c.html(
      <Layout base={basePathOf(c.env)} title="API keys" active="/dashboard/keys" csrfToken={c.var.csrfToken}>
        <CreatedKey
          base={basePathOf(c.env)}
          id={created.id}
          name={created.name}
          plaintext={created.key}
          agentBaseUrl={created.kind === 'agent' ? `${publicBaseUrl(c)}${AGENT_API_PATHS[0]}` : undefined}
        />
        <KeyTable base={basePathOf(c.env)} keys={keys} csrfToken={c.var.csrfToken} now={now} />
        <CreateKeyForm base={basePathOf(c.env)} title="Create another key" accounts={accounts} csrfToken={c.var.csrfToken} />
      </Layout>,
      201,
    );
  })
  .get('/:id', async (c) => {
    const now = Date.now();
    const found = await findKeyWithQuota(c.env, c.req.param('id'), now);
    if (found === null) return c.redirect(withFlash(publicPath(c.env, '/dashboard/keys'), { kind: 'error', message: `key "${c.req.param('id')}" not found` }), 303);
    const { key, quota } = found;
    const path = publicPath(c.env, `/dashboard/keys/${encodeURIComponent(key.id)}`);
    const state = keyState(key, now);
    return c.html(
      <Layout base={basePathOf(c.env)} title={`Key: ${key.name}`} active="/dashboard/keys" csrfToken={c.var.csrfToken} flash={flashOf(c)}>
        <div class="card">
          <p>
            <code>{key.prefix}</code> <Pill tone={state.tone}>{state.label}</Pill> · id <code>{key.id}</code> · account{' '}
            <a href={publicPath(c.env, `/dashboard/accounts/${encodeURIComponent(key.accountId)}`)}>{key.accountId}</a>
          </p>
          <p class="small muted">
            created {formatIso(key.createdAt)} · expires {formatIso(key.expiresAt)} · revoked {formatIso(key.revokedAt)}
          </p>
          <h2>Quota</h2>
          <QuotaSummary quota={quota} />
          <p>
            <a href={publicPath(c.env, `/dashboard/usage?keyId=${encodeURIComponent(key.id)}`)}>Usage of this key</a>
          </p>
        </div>
        {key.revokedAt === null ? (
          <>
            <h2>Edit</h2>
            <div class="card">
              <PostForm action={path} token={c.var.csrfToken}>
                <KeyFields current={key} accounts={[]} />
                <p>
                  <button type="submit">Save changes</button>
                </p>
              </PostForm>
            </div>
            <PostForm action={`${path}/reset-quota`} token={c.var.csrfToken} confirm="Clear this key's quota windows?" inline>
              <button type="submit" class="secondary">
                Reset quota windows
              </button>
            </PostForm>{' '}
            <PostForm action={`${path}/revoke`} token={c.var.csrfToken} confirm={`Revoke ${key.name}?`} inline>
              <button type="submit" class="danger">
                Revoke key
              </button>
            </PostForm>
          </>
        ) : null}
      </Layout>,
    );
  })
  .post('/:id', async (c) => {
    const id = c.req.param('id');
    const path = publicPath(c.env, `/dashboard/keys/${encodeURIComponent(id)}`);
    const form = await readForm(c);
    const result = await runAdminAction(() => updateKey(c.env, id, parseAdminInput(keyBody(form, 'edit'), keyUpdateSchema)));
    const flash = result.ok ? { kind: 'ok' as const, message: 'Key updated.' } : { kind: 'error' as const, message: result.message };
    return c.redirect(withFlash(path, flash), 303);
  })
  .post('/:id/revoke', async (c) => {
    const id = c.req.param('id');
    const result = await runAdminAction(() => revokeKey(c.env, id));
    const flash = result.ok ? { kind: 'ok' as const, message: `Key ${id} revoked.` } : { kind: 'error' as const, message: result.message };
    return c.redirect(withFlash(publicPath(c.env, '/dashboard/keys'), flash), 303);
  })
  .post('/:id/reset-quota', async (c) => {
    const id = c.req.param('id');
    const result = await runAdminAction(() => resetKeyQuota(c.env, id));
    const flash = result.ok ? { kind: 'ok' as const, message: 'Quota windows cleared.' } : { kind: 'error' as const, message: result.message };
    return c.redirect(withFlash(publicPath(c.env, `/dashboard/keys/${encodeURIComponent(id)}`), flash), 303);
  });
