import type { Env } from '../env';
import { dollarsOf } from './money';
import { rollupWhere, type UsageFilter } from './usage-filter';

export const GROUP_FIELDS = ['day', 'key', 'account', 'model'] as const;
export type GroupField = (typeof GROUP_FIELDS)[number];

const COLUMN: Readonly<Record<GroupField, { column: string; name: 'day' | 'keyId' | 'accountId' | 'model' }>> = {
  day: { column: 'day', name: 'day' },
  key: { column: 'key_id', name: 'keyId' },
  account: { column: 'account_id', name: 'accountId' },
  model: { column: 'model', name: 'model' },
};

/** The most groups one report returns; `truncated` says when more matched (narrow the filter). */
export const MAX_REPORT_ROWS = 10_000;

interface TotalsRow {
  requests: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
  cost_micros: number | null;
}

export interface UsageTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Dollars. */
  cost: number;
  costMicros: number;
}

export interface UsageReport {
  object: 'usage_report';
  filter: UsageFilter;
  groupBy: GroupField[];
  totals: UsageTotals;
  /** Each group's keys (day, keyId, accountId, model as grouped) beside its totals. */
  data: Array<Partial<Record<'day' | 'keyId' | 'accountId' | 'model', string>> & UsageTotals>;
  truncated: boolean;
}

const SUMS = `SUM(requests) AS requests, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
  SUM(cache_read_tokens) AS cache_read_tokens, SUM(cache_write_tokens) AS cache_write_tokens,
  SUM(reasoning_tokens) AS reasoning_tokens, SUM(cost_micros) AS cost_micros`;

const totalsOf = (row: TotalsRow | undefined): UsageTotals => ({
  requests: row?.requests ?? 0,
  inputTokens: row?.input_tokens ?? 0,
  outputTokens: row?.output_tokens ?? 0,
  cacheReadTokens: row?.cache_read_tokens ?? 0,
  cacheWriteTokens: row?.cache_write_tokens ?? 0,
  reasoningTokens: row?.reasoning_tokens ?? 0,
  cost: dollarsOf(row?.cost_micros ?? 0),
  costMicros: row?.cost_micros ?? 0,
});

/** Usage totals from the daily rollup, grouped by any of day / key / account / model, plus the grand total. */
export const usageReport = async (env: Env, filter: UsageFilter, groupBy: GroupField[]): Promise<UsageReport> => {
  const where = rollupWhere(filter);
  const columns = groupBy.map((field) => `${COLUMN[field].column} AS g_${field}`);
  const groupSql = groupBy.length === 0 ? '' : ` GROUP BY ${groupBy.map((field) => COLUMN[field].column).join(', ')} ORDER BY ${groupBy.map((field) => COLUMN[field].column).join(', ')}`;
  const [grouped, total] = await env.DB.batch<TotalsRow & Record<string, string>>([
    env.DB.prepare(`SELECT ${[...columns, SUMS].join(', ')} FROM usage_daily WHERE ${where.sql}${groupSql} LIMIT ${MAX_REPORT_ROWS + 1}`).bind(...where.params),
    env.DB.prepare(`SELECT ${SUMS} FROM usage_daily WHERE ${where.sql}`).bind(...where.params),
  ]);
  const rows = grouped?.results ?? [];
  const data = rows.slice(0, MAX_REPORT_ROWS).map((row) => {
    const keys: Partial<Record<'day' | 'keyId' | 'accountId' | 'model', string>> = {};
    for (const field of groupBy) keys[COLUMN[field].name] = String(row[`g_${field}`]);
    return { ...keys, ...totalsOf(row) };
  });
  return { object: 'usage_report', filter, groupBy, totals: totalsOf(total?.results[0]), data, truncated: rows.length > MAX_REPORT_ROWS };
};
