import type { AuthenticatedKey } from '../auth/key-record';
import type { Env } from '../env';
import { formatResetInstant } from '../quota/headers';
import { quotaStatus, type QuotaMode } from '../quota/quota-client';
import type { WindowView } from '../quota/windows';
import { dayBefore, dayOf } from './days';
import { accountBalanceMicros } from './ledger';
import { dollarsOf } from './money';

export const MAX_SUMMARY_DAYS = 90;
export const DEFAULT_SUMMARY_DAYS = 30;

export interface ModelUsage {
  model: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  totalCost: number;
}

export interface QuotaWindowSummary {
  limit: number | null;
  used: number;
  remaining: number | null;
  /** ISO 8601 instant the window ends (or would end if it opened now). */
  reset: string;
  open: boolean;
}

export interface UsageSummary {
  object: 'usage_summary';
  days: number;
  startDate: string;
  endDate: string;
  totalRequests: number;
  totalInputTokens: number;
  totalOutputTokens: number;
  /** Dollars. */
  totalCost: number;
  byModel: ModelUsage[];
  quota: {
    mode: QuotaMode;
    fiveHour: QuotaWindowSummary;
    week: QuotaWindowSummary;
    minute: QuotaWindowSummary;
    /** Input plus output tokens in the key's token windows (limit null without a token limit). */
    tokensPerMinute: QuotaWindowSummary;
    tokensPerDay: QuotaWindowSummary;
    concurrency: { limit: number | null; active: number };
  };
  /** Dollars; present for prepaid keys only. */
  balance?: number;
}

interface ModelRow {
  model: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_micros: number;
}

const windowSummary = (view: WindowView): QuotaWindowSummary => ({
  limit: view.limit,
  used: view.used,
  remaining: view.remaining,
  reset: formatResetInstant(view.reset),
  open: view.open,
});

/**
 * The calling key's usage over the last `days` UTC days (today included), read from the daily rollup
 * through usage_daily_key_day_idx: O(days × models) rows, whatever the request count.
 */
export const usageSummary = async (env: Env, key: AuthenticatedKey, days: number, now: number): Promise<UsageSummary> => {
  const startDate = dayBefore(now, days - 1);
  const endDate = dayOf(now);
  const [rows, quota, balanceMicros] = await Promise.all([
    env.DB.prepare(
      `SELECT model, SUM(requests) AS requests, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
         SUM(cost_micros) AS cost_micros
       FROM usage_daily WHERE key_id = ?1 AND day >= ?2 AND day <= ?3 GROUP BY model ORDER BY cost_micros DESC, model`,
    )
      .bind(key.id, startDate, endDate)
      .all<ModelRow>(),
    quotaStatus(env, key, now),
    key.billing === 'prepaid' ? accountBalanceMicros(env, key.accountId) : Promise.resolve(undefined),
  ]);
  const models = rows.results;
  const sum = (pick: (row: ModelRow) => number): number => models.reduce((total, row) => total + pick(row), 0);
  const summary: UsageSummary = {
    object: 'usage_summary',
    days,
    startDate,
    endDate,
    totalRequests: sum((row) => row.requests),
    totalInputTokens: sum((row) => row.input_tokens),
    totalOutputTokens: sum((row) => row.output_tokens),
    totalCost: dollarsOf(sum((row) => row.cost_micros)),
    byModel: models.map((row) => ({
      model: row.model,
      requests: row.requests,
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      totalCost: dollarsOf(row.cost_micros),
    })),
    quota: {
      mode: quota.mode,
      fiveHour: windowSummary(quota.fiveHour),
      week: windowSummary(quota.week),
      minute: windowSummary(quota.minute),
      tokensPerMinute: windowSummary(quota.tokenMinute),
      tokensPerDay: windowSummary(quota.tokenDay),
      concurrency: quota.concurrency,
    },
  };
  if (key.billing === 'prepaid') summary.balance = dollarsOf(balanceMicros ?? 0);
  return summary;
};
