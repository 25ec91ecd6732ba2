import type { Env } from '../env';
import type { UsageEventRow } from './usage-events';
import type { SqlCondition } from './usage-filter';

/** `ok` 2xx/3xx, `error` 4xx and 5xx, `4xx`, `5xx`, or one exact status. */
export type StatusFilter = 'ok' | 'error' | '4xx' | '5xx' | number;

export interface RequestListFilter {
  keyId?: string;
  model?: string;
  providerId?: string;
  status?: StatusFilter;
}

/** Keyset position for newest-first pages: the oldest (created_at, request_id) already shown. */
export interface RequestCursor {
  createdAt: number;
  requestId: string;
}

export const parseStatusFilter = (raw: string | undefined): StatusFilter | undefined => {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'ok' || raw === 'error' || raw === '4xx' || raw === '5xx') return raw;
  const status = Number(raw);
  return Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
};

const statusCondition = (status: StatusFilter): SqlCondition => {
  if (status === 'ok') return { sql: 'status < 400', params: [] };
  if (status === 'error') return { sql: 'status >= 400', params: [] };
  if (status === '4xx') return { sql: 'status >= 400 AND status < 500', params: [] };
  if (status === '5xx') return { sql: 'status >= 500', params: [] };
  return { sql: 'status = ?', params: [status] };
};

const whereOf = (filter: RequestListFilter, before: RequestCursor | null): SqlCondition => {
  const parts: SqlCondition[] = [
    ...(filter.keyId === undefined ? [] : [{ sql: 'key_id = ?', params: [filter.keyId] }]),
    ...(filter.model === undefined ? [] : [{ sql: 'model = ?', params: [filter.model] }]),
    ...(filter.providerId === undefined ? [] : [{ sql: 'provider_id = ?', params: [filter.providerId] }]),
    ...(filter.status === undefined ? [] : [statusCondition(filter.status)]),
    ...(before === null ? [] : [{ sql: '(created_at, request_id) < (?, ?)', params: [before.createdAt, before.requestId] }]),
  ];
  return { sql: parts.length === 0 ? '1 = 1' : parts.map((part) => part.sql).join(' AND '), params: parts.flatMap((part) => part.params) };
};

/**
 * The newest raw usage events first, one page after `before`. Keyset on (created_at, request_id), the
 * indexed unique order (usage_events_time_idx, or the key index when a key is chosen), so older
 * pages cost what the first does. Raw events are kept for the retention window only.
 */
export const latestRequests = async (env: Env, filter: RequestListFilter, before: RequestCursor | null, limit: number): Promise<UsageEventRow[]> => {
  const where = whereOf(filter, before);
  const result = await env.DB.prepare(`SELECT * FROM usage_events WHERE ${where.sql} ORDER BY created_at DESC, request_id DESC LIMIT ${Math.floor(limit)}`)
    .bind(...where.params)
    .all<UsageEventRow>();
  return result.results;
};
