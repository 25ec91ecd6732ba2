import type { FC } from 'hono/jsx';
import { BILLING_MODES, PLANS, SCOPES } from '../admin/key-schema';
import { KEY_KINDS } from '../auth/key-record';
import type { QuotaStatus } from '../quota/quota-client';
import type { WindowView } from '../quota/windows';
import type { KeyView, KeyWithQuota } from '../admin/services/keys';
import { formatIso, Pill, PostForm } from './layout';

const resetText = (epochMs: number): string => formatIso(new Date(Math.ceil(epochMs / 1000) * 1000).toISOString());

const WindowCell: FC<{ name: string; view: WindowView }> = ({ name, view }) =>
  view.limit === null ? null : (
    <div class="small">
      {name}: {view.used}/{view.limit}
      {view.open ? <span class="muted"> · resets {resetText(view.reset)}</span> : <span class="muted"> · not opened</span>}
    </div>
  );

export const QuotaSummary: FC<{ quota: QuotaStatus | null }> = ({ quota }) => {
  if (quota === null) return <span class="muted">—</span>;
  const windows = [
    { name: '5h', view: quota.fiveHour },
    { name: 'week', view: quota.week },
    { name: 'minute', view: quota.minute },
    { name: 'tokens/minute', view: quota.tokenMinute },
    { name: 'tokens/day', view: quota.tokenDay },
  ].filter((entry) => entry.view.limit !== null);
  return (
    <div>
      <Pill>{quota.mode}</Pill>
      {windows.map((entry) => (
        <WindowCell name={entry.name} view={entry.view} />
      ))}
      {quota.concurrency.limit === null ? null : (
        <div class="small">
          concurrent: {quota.concurrency.active}/{quota.concurrency.limit}
        </div>
      )}
    </div>
  );
};

/** An allow-list can name hundreds of models: the table shows a few and counts the rest. */
const modelsSummary = (models: string[] | null): string => {
  if (models === null) return 'all models';
  return models.length <= 5 ? models.join(', ') : `${models.length.toLocaleString('en-US')} models: ${models.slice(0, 5).join(', ')}, …`;
};

export const keyState = (key: KeyView, now: number): { label: string; tone: 'good' | 'bad' | 'warn' } => {
  if (key.revokedAt !== null) return { label: 'revoked', tone: 'bad' };
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now) return { label: 'expired', tone: 'warn' };
  return { label: 'active', tone: 'good' };
};

export const KeyTable: FC<{ keys: KeyWithQuota[]; csrfToken: string; now: number; base: string }> = ({ keys, csrfToken, now, base }) => (
  <table id="key-list">
    <thead>
      <tr>
        <th>Name</th>
        <th>Key</th>
        <th>Plan</th>
        <th>Scopes / models</th>
        <th class="num">Spend cap</th>
        <th>Quota</th>
        <th>State</th>
        <th></th>
      </tr>
    </thead>
    <tbody>
      {keys.length === 0 ? (
        <tr>
          <td colspan={8} class="muted">
            No keys yet.
          </td>
        </tr>
      ) : null}
      {keys.map(({ key, quota }) => {
        const state = keyState(key, now);
        return (
          <tr data-key-id={key.id}>
            <td>
              <a href={`${base}/dashboard/keys/${encodeURIComponent(key.id)}`}>{key.name}</a>
              <div class="small muted">{key.id}</div>
            </td>
            <td>
              <code>{key.prefix}</code>
              <div class="small muted">
                {key.kind === 'agent' ? 'agent key · ' : ''}
                {key.accountId}
              </div>
            </td>
            <td>
              {key.plan}
              <div class="small muted">{key.billing}</div>
            </td>
            <td>
              {key.scopes.join(', ')}
              <div class="small muted">{modelsSummary(key.models)}</div>
            </td>
            <td class="num">{key.monthlySpendCap === null ? '—' : `$${key.monthlySpendCap.toFixed(2)}/mo`}</td>
            <td>
              <QuotaSummary quota={quota} />
            </td>
            <td>
              <Pill tone={state.tone}>{state.label}</Pill>
            </td>
            <td>
              {key.revokedAt === null ? (
                <PostForm action={`${base}/dashboard/keys/${encodeURIComponent(key.id)}/revoke`} token={csrfToken} confirm={`Revoke ${key.name}? Clients using it stop working.`} inline>
                  <button type="submit" class="danger">
                    Revoke
                  </button>
                </PostForm>
              ) : null}
            </td>
          </tr>
        );
      })}
    </tbody>
  </table>
);

interface KeyFieldsProps {
  current?: KeyView;
  accounts: Array<{ id: string; name: string }>;
}

/** Per-key overrides of the plan's limits, as the admin API's `quotaOverrides` names them. */
export const QUOTA_OVERRIDE_FIELDS = [
  ['requestsPer5h', 'Requests per 5 hours'],
  ['requestsPerWeek', 'Requests per week'],
  ['requestsPerMinute', 'Requests per minute (burst)'],
  ['maxConcurrent', 'Concurrent requests'],
  ['tokensPerMinute', 'Tokens per minute (input + output)'],
  ['tokensPerDay', 'Tokens per day (input + output)'],
] as const;

const overrideText = (overrides: Record<string, number | null> | null, field: string): string => {
  if (overrides === null || !(field in overrides)) return '';
  const value = overrides[field];
  return value === null || value === undefined ? 'none' : String(value);
};

/** The fields shared by the create and edit forms; an edit form leaves the account alone. */
export const KeyFields: FC<KeyFieldsProps> = ({ current, accounts }) => (
  <div class="grid">
    <label>
      Name
      <input name="name" required value={current?.name} />
    </label>
    {current === undefined ? (
      <label>
        Account
        <select name="accountId">
          <option value="">new account for this key</option>
          {accounts.map((account) => (
            <option value={account.id}>
              {account.name} ({account.id})
            </option>
          ))}
        </select>
      </label>
    ) : null}
    <label>
      Kind (agent: OpenClaw, Hermes on /api/v1/agents; needs pro, max5x or max20x; no spend cap or overrides: the account's agent keys share one window)
      <select name="kind">
        {KEY_KINDS.map((kind) => (
          <option value={kind} selected={(current?.kind ?? 'inference') === kind}>
            {kind}
          </option>
        ))}
      </select>
    </label>
    <label>
      Plan
      <select name="plan">
        {PLANS.map((plan) => (
          <option value={plan} selected={(current?.plan ?? 'free') === plan}>
            {plan}
          </option>
        ))}
      </select>
    </label>
    <label>
      Billing
      <select name="billing">
        {BILLING_MODES.map((mode) => (
          <option value={mode} selected={(current?.billing ?? 'subscription') === mode}>
            {mode}
          </option>
        ))}
      </select>
    </label>
    <label>
      Models (one per line or comma-separated; empty = all)
      <textarea name="models" rows={Math.min(10, Math.max(2, current?.models?.length ?? 0))} placeholder="claude-sonnet-4-5, gpt-5">
        {current?.models?.join('\n') ?? ''}
      </textarea>
    </label>
    <label>
      Monthly spend cap (USD; empty = none)
      <input name="monthlySpendCap" inputmode="decimal" value={current?.monthlySpendCap === null || current === undefined ? '' : String(current.monthlySpendCap)} />
    </label>
    <label>
      Expires (UTC, YYYY-MM-DD HH:MM; empty = never)
      <input name="expiresAt" placeholder="2026-12-31 23:59" pattern="\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?Z?)?" value={current?.expiresAt ? current.expiresAt.slice(0, 16).replace('T', ' ') : ''} />
    </label>
    {QUOTA_OVERRIDE_FIELDS.map(([field, label]) => (
      <label>
        {label} (empty = the plan's; none = unlimited)
        <input name={field} inputmode="numeric" value={overrideText(current?.quotaOverrides ?? null, field)} />
      </label>
    ))}
    <div>
      {SCOPES.map((scope) => (
        <label class="check">
          <input type="checkbox" name="scopes" value={scope} checked={current === undefined ? scope === 'chat' : current.scopes.includes(scope)} /> {scope}
        </label>
      ))}
    </div>
  </div>
);

/** `agentBaseUrl`: set for an agent key, the only base URL it works on. */
export const CreatedKey: FC<{ id: string; name: string; plaintext: string; base: string; agentBaseUrl?: string }> = ({ id, name, plaintext, base, agentBaseUrl }) => (
  <div class="card" id="created-key">
    <strong>Key “{name}” created.</strong> Copy it now: it is shown once and only its hash is stored.
    <div class="secret">
      <code id="new-key-plaintext">{plaintext}</code>
      <button type="button" data-copy="new-key-plaintext">
        Copy
      </button>
    </div>
    {agentBaseUrl === undefined ? null : (
      <p id="created-agent-key">
        Agent key: it works only on the agent API, base URL <code>{agentBaseUrl}</code> (OpenAI-compatible). Configs for OpenClaw and Hermes Agent:{' '}
        <a href={`${base}/docs#agents-openclaw`}>OpenClaw</a>, <a href={`${base}/docs#agents-hermes`}>Hermes Agent</a>.
      </p>
    )}
    <a href={`${base}/dashboard/keys/${encodeURIComponent(id)}`}>Key details</a> · <a href={`${base}/dashboard/keys`}>Back to all keys</a>
  </div>
);
