import { chunksOf, D1_MAX_BOUND_PARAMETERS } from '../db/d1-limits';
import type { Env } from '../env';
import { monthOf } from '../usage/days';
import type { UsageEvent } from '../usage/event';
import type { BudgetAlert } from './alert-payload';
import { SPEND_THRESHOLDS, thresholdsReached } from './thresholds';

interface SpendRow {
  accountId: string;
  keyId: string | null;
  spent: number;
  limitMicros: number;
}

/** One IN-list chunk leaves room for the month parameter. */
const CHUNK = D1_MAX_BOUND_PARAMETERS - 1;

const placeholders = (count: number) => Array.from({ length: count }, (_, index) => `?${index + 2}`).join(', ');

// Only accounts with an alert URL are read at all; month spend comes from the daily rollup (≤ 31 × models rows each).
const accountSpend = (env: Env, month: string, ids: string[]) =>
  env.DB.prepare(
    `SELECT a.id AS accountId, NULL AS keyId, a.monthly_budget_micros AS limitMicros,
       (SELECT COALESCE(SUM(d.cost_micros), 0) FROM usage_daily d WHERE d.account_id = a.id AND d.day >= ?1) AS spent
     FROM accounts a WHERE a.alert_webhook_url IS NOT NULL AND a.monthly_budget_micros > 0 AND a.id IN (${placeholders(ids.length)})`,
  ).bind(month, ...ids);

const keySpend = (env: Env, month: string, ids: string[]) =>
  env.DB.prepare(
    `SELECT k.account_id AS accountId, k.id AS keyId, k.monthly_spend_cap_micros AS limitMicros,
       (SELECT COALESCE(SUM(d.cost_micros), 0) FROM usage_daily d WHERE d.key_id = k.id AND d.day >= ?1) AS spent
     FROM api_keys k JOIN accounts a ON a.id = k.account_id
     WHERE a.alert_webhook_url IS NOT NULL AND k.monthly_spend_cap_micros > 0 AND k.id IN (${placeholders(ids.length)})`,
  ).bind(month, ...ids);

/**
 * After a usage fold: every 50 / 80 / 100 % mark that the month's spend has reached, of
 * the account's budget and of each key's spend cap. Marks reached earlier in the month come back too;
 * raiseAlerts sends each (subject, mark, month) once.
 */
export const spendAlertsFor = async (env: Env, events: readonly Pick<UsageEvent, 'accountId' | 'keyId'>[], now: number): Promise<BudgetAlert[]> => {
  const accountIds = [...new Set(events.map((event) => event.accountId).filter((id) => typeof id === 'string'))];
  const keyIds = [...new Set(events.map((event) => event.keyId).filter((id) => typeof id === 'string'))];
  if (accountIds.length === 0) return [];
  const { firstDay, nextMonthStart } = monthOf(now);
  const results = await env.DB.batch<SpendRow>([
    ...chunksOf(accountIds, CHUNK).map((chunk) => accountSpend(env, firstDay, chunk)),
    ...chunksOf(keyIds, CHUNK).map((chunk) => keySpend(env, firstDay, chunk)),
  ]);
  const period = firstDay.slice(0, 7);
  return results.flatMap((result) =>
    result.results.flatMap((row) =>
      thresholdsReached(row.spent, row.limitMicros, SPEND_THRESHOLDS).map(
        (threshold): BudgetAlert => ({
          subject: row.keyId === null ? { kind: 'account_spend', accountId: row.accountId } : { kind: 'key_spend', accountId: row.accountId, keyId: row.keyId },
          threshold,
          period,
          used: row.spent,
          limit: row.limitMicros,
          periodEnd: nextMonthStart,
          now,
        }),
      ),
    ),
  );
};
