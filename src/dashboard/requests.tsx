import { Hono } from 'hono';
import { basePathOf, publicPath } from '../base-path';
import type { Env } from '../env';
import { latestRequests, parseStatusFilter, type RequestCursor, type RequestListFilter } from '../usage/request-list';
import type { UsageEventRow } from '../usage/usage-events';
import { formatDollars } from '../usage/money';
import { flashOf, formatIso, formatNumber, Layout, Pill } from './layout';
import type { DashboardEnv } from './session';

const PAGE_SIZE = 50;
const FILTER_NAMES = ['keyId', 'model', 'providerId', 'status'] as const;

const STATUS_CHOICES: ReadonlyArray<readonly [string, string]> = [
  ['', 'any status'],
  ['ok', 'succeeded (< 400)'],
  ['error', 'failed (≥ 400)'],
  ['4xx', '4xx'],
  ['5xx', '5xx'],
  ['429', '429 (rate limited)'],
  ['499', '499 (client left)'],
];

const filterOf = (query: Record<string, string>): RequestListFilter => {
  const status = parseStatusFilter(query.status);
  return {
    ...(query.keyId ? { keyId: query.keyId } : {}),
    ...(query.model ? { model: query.model } : {}),
    ...(query.providerId ? { providerId: query.providerId } : {}),
    ...(status === undefined ? {} : { status }),
  };
};

/** `before` is `<created_at>:<request_id>` of the oldest row already shown; anything else starts at the newest. */
const cursorOf = (raw: string | undefined): RequestCursor | null => {
  const separator = raw?.indexOf(':') ?? -1;
  if (raw === undefined || separator <= 0) return null;
  const createdAt = Number(raw.slice(0, separator));
  return Number.isSafeInteger(createdAt) ? { createdAt, requestId: raw.slice(separator + 1) } : null;
};

const filterChoices = async (env: Env) => {
  const [keys, models, providers] = await env.DB.batch<{ id: string; name: string }>([
    env.DB.prepare('SELECT id, name FROM api_keys ORDER BY name LIMIT 500'),
    env.DB.prepare('SELECT DISTINCT model AS id, model AS name FROM usage_daily ORDER BY model LIMIT 500'),
    env.DB.prepare('SELECT id, id AS name FROM providers ORDER BY id LIMIT 500'),
  ]);
  return { keys: keys?.results ?? [], models: models?.results ?? [], providers: providers?.results ?? [] };
};

const statusTone = (status: number): 'good' | 'warn' | 'bad' => (status < 400 ? 'good' : status < 500 ? 'warn' : 'bad');

const RequestRow = ({ row, keyNames, base }: { row: UsageEventRow; keyNames: Map<string, string>; base: string }) => (
  <tr>
    <td class="small nowrap">{formatIso(new Date(row.created_at).toISOString())}</td>
    <td>
      <a class="key-link" href={`${base}/dashboard/keys/${encodeURIComponent(row.key_id)}`}>{keyNames.get(row.key_id) ?? row.key_id}</a>
    </td>
    <td>{row.model}</td>
    <td>{row.provider_id ?? <span class="muted">—</span>}</td>
    <td class="small">
      {row.client_format}
      {row.upstream_format !== null && row.upstream_format !== row.client_format ? ` → ${row.upstream_format}` : ''}
      {row.stream === 1 ? <span class="muted"> · stream</span> : null}
    </td>
    <td>
      <Pill tone={statusTone(row.status)}>{String(row.status)}</Pill>
    </td>
    <td class="small">{row.error_type ?? (row.aborted === 1 ? 'client left' : '')}</td>
    <td class="num">{row.ttfb_ms === null ? '—' : formatNumber(row.ttfb_ms)}</td>
    <td class="num">{formatNumber(row.latency_ms)}</td>
    <td class="num">
      {formatNumber(row.input_tokens)} / {formatNumber(row.output_tokens)}
      {row.usage_estimated === 1 ? <span class="muted"> est.</span> : null}
    </td>
    <td class="num">{formatDollars(row.cost_micros)}</td>
    <td class="small muted">{row.request_id}</td>
  </tr>
);

const Select = ({ name, label, all, value, choices }: { name: string; label: string; all: string; value: string | undefined; choices: Array<{ id: string; name: string }> }) => (
  <label>
    {label}
    <select name={name}>
      <option value="">{all}</option>
      {(value !== undefined && !choices.some((choice) => choice.id === value) ? [{ id: value, name: value }, ...choices] : choices).map((choice) => (
        <option value={choice.id} selected={value === choice.id}>
          {choice.name === choice.id ? choice.id : `${choice.name} (${choice.id})`}
        </option>
      ))}
    </select>
  </label>
);

/** /dashboard/requests: the newest relayed requests from the raw usage events, filtered on the server. */
export const requestPages = new Hono<DashboardEnv>().get('/', async (c) => {
  const query = c.req.query();
  const filter = filterOf(query);
  const [rows, choices] = await Promise.all([latestRequests(c.env, filter, cursorOf(query.before), PAGE_SIZE), filterChoices(c.env)]);
  const keyNames = new Map(choices.keys.map((key) => [key.id, key.name]));
  const base = basePathOf(c.env);
  const last = rows.at(-1);
  const kept = new URLSearchParams(FILTER_NAMES.flatMap((name) => (query[name] ? [[name, query[name]]] : [])));
  if (last !== undefined) kept.set('before', `${last.created_at}:${last.request_id}`);
  return c.html(
    <Layout base={base} title="Requests" active="/dashboard/requests" csrfToken={c.var.csrfToken} flash={flashOf(c)}>
      <form method="get" action={publicPath(c.env, '/dashboard/requests')} class="card" id="request-filter">
        <div class="grid">
          <Select name="keyId" label="Key" all="all keys" value={filter.keyId} choices={choices.keys} />
          <Select name="model" label="Model" all="all models" value={filter.model} choices={choices.models} />
          <Select name="providerId" label="Provider" all="all providers" value={filter.providerId} choices={choices.providers} />
          <label>
            Status
            <select name="status">
              {STATUS_CHOICES.map(([value, label]) => (
                <option value={value} selected={(query.status ?? '') === value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <div>
            <button type="submit">Apply</button> <a class="button secondary" href={publicPath(c.env, '/dashboard/requests')}>Clear</a>
          </div>
        </div>
      </form>
      <div class="table-scroll">
        <table id="request-list">
          <thead>
            <tr>
              <th>Time (UTC)</th>
              <th>Key</th>
              <th>Model</th>
              <th>Provider</th>
              <th>Format</th>
              <th>Status</th>
              <th>Error</th>
              <th class="num">TTFB ms</th>
              <th class="num">Total ms</th>
              <th class="num">Tokens in / out</th>
              <th class="num">Cost</th>
              <th>Request id</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colspan={12} class="muted">
                  No requests match (raw events are kept for the retention window only).
                </td>
              </tr>
            ) : (
              rows.map((row) => <RequestRow row={row} keyNames={keyNames} base={base} />)
            )}
          </tbody>
        </table>
      </div>
      {rows.length === PAGE_SIZE ? (
        <p>
          <a id="older-requests" href={publicPath(c.env, `/dashboard/requests?${kept.toString()}`)}>
            Older requests
          </a>
        </p>
      ) : null}
    </Layout>,
  );
});
