import type { Env } from '../env';
import { invalidRequest } from '../errors';
import { dollarsOf } from './money';
import { eventWhere, type UsageFilter } from './usage-filter';

/** A usage_events row as D1 returns it (snake_case columns, booleans as 0/1). */
export interface UsageEventRow {
  request_id: string;
  created_at: number;
  account_id: string;
  key_id: string;
  model: string;
  provider_id: string | null;
  upstream_model: string | null;
  client_format: string;
  upstream_format: string | null;
  status: number;
  error_type: string | null;
  stream: number;
  aborted: number;
  usage_estimated: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_micros: number;
  latency_ms: number;
  ttfb_ms: number | null;
}

/** Keyset position: the last (created_at, request_id) already returned; unique, and indexed by usage_events_time_idx. */
export interface EventCursor {
  createdAt: number;
  requestId: string;
}

export const encodeCursor = (cursor: EventCursor): string => `${cursor.createdAt}:${cursor.requestId}`;

export const decodeCursor = (raw: string): EventCursor => {
  const separator = raw.indexOf(':');
  const createdAt = Number(raw.slice(0, separator));
  if (separator <= 0 || !Number.isSafeInteger(createdAt) || separator === raw.length - 1) throw invalidRequest('cursor is not valid', 'cursor');
  return { createdAt, requestId: raw.slice(separator + 1) };
};

/**
 * One page of raw events in (created_at, request_id) order after `cursor`. Keyset pagination: each page
 * is an index seek, so page 1,000 costs what page 1 does (OFFSET would rescan everything before it).
 */
export const usageEventPage = async (env: Env, filter: UsageFilter, cursor: EventCursor | null, limit: number): Promise<UsageEventRow[]> => {
  const where = eventWhere(filter);
  const after = cursor === null ? '' : ' AND (created_at, request_id) > (?, ?)';
  const params = cursor === null ? where.params : [...where.params, cursor.createdAt, cursor.requestId];
  const result = await env.DB.prepare(
    `SELECT * FROM usage_events WHERE ${where.sql}${after} ORDER BY created_at, request_id LIMIT ${Math.floor(limit)}`,
  )
    .bind(...params)
    .all<UsageEventRow>();
  return result.results;
};

export const cursorAfter = (rows: readonly UsageEventRow[]): EventCursor | null => {
  const last = rows.at(-1);
  return last === undefined ? null : { createdAt: last.created_at, requestId: last.request_id };
};

/** The admin JSON view of one event: camelCase, booleans, ISO time, cost in dollars and micro-dollars. */
export const usageEventView = (row: UsageEventRow) => ({
  requestId: row.request_id,
  createdAt: new Date(row.created_at).toISOString(),
  accountId: row.account_id,
  keyId: row.key_id,
  model: row.model,
  providerId: row.provider_id,
  upstreamModel: row.upstream_model,
  clientFormat: row.client_format,
  upstreamFormat: row.upstream_format,
  status: row.status,
  errorType: row.error_type,
  stream: row.stream === 1,
  aborted: row.aborted === 1,
  usageEstimated: row.usage_estimated === 1,
  inputTokens: row.input_tokens,
  outputTokens: row.output_tokens,
  cacheReadTokens: row.cache_read_tokens,
  cacheWriteTokens: row.cache_write_tokens,
  reasoningTokens: row.reasoning_tokens,
  cost: dollarsOf(row.cost_micros),
  costMicros: row.cost_micros,
  latencyMs: row.latency_ms,
  ttfbMs: row.ttfb_ms,
});
