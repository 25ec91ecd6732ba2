import { configOf, type Env } from '../env';
import type { UsageEvent } from './event';
import type { ModelPrice } from './pricing';
import { usageWriteStatements } from './usage-statements';

/** An account and key whose month spend a fold changed: what the budget alerts look at afterwards. */
export type FoldedSubject = Pick<UsageEvent, 'accountId' | 'keyId'>;

export interface FoldClock {
  now: number;
  /** Folds at most this often (0: whenever anything is unfolded). */
  intervalMs: number;
}

export const foldClockOf = (env: Env, now = Date.now()): FoldClock => ({ now, intervalMs: configOf(env).usageFoldMs });

/** The fold is due: something is unfolded and the last fold is at least the interval old (?1 now, ?2 interval). */
const DUE = `EXISTS (SELECT 1 FROM usage_fold WHERE id = 1 AND folded < seq AND (?2 = 0 OR folded_at <= ?1 - ?2))`;

/**
 * The events written and not yet folded, when the fold is due. The scalar subqueries are constants
 * for the statement, so the primary key's range from pending_from is all that is read.
 */
const UNFOLDED = `unfolded AS (
  SELECT e.* FROM usage_events e
  WHERE e.created_at >= (SELECT pending_from FROM usage_fold WHERE id = 1)
    AND e.ingest > (SELECT folded FROM usage_fold WHERE id = 1) AND e.ingest <= (SELECT seq FROM usage_fold WHERE id = 1) AND ${DUE})`;

/** `usage:{account}:{YYYY-MM-DDTHH}h`: the account's hourly charge row (ledgerReference shape, so statements split it). */
const HOUR_REFERENCE = `'usage:' || account_id || ':' || strftime('%Y-%m-%dT%H', created_at / 1000, 'unixepoch') || 'h'`;

/**
 * The fold, as statements for one D1 batch (one transaction), each a no-op unless it is due:
 * 0. the (account, key) pairs it folds (read for the budget alerts);
 * 1. the day × key × model rollups, bumped by the unfolded events (one row written per group);
 * 2. for charged (prepaid) events, the account's hourly charge row, `amount += ` their cost;
 * 3. the balance, moved by exactly what the ledger gained;
 * 4. the watermark moved to seq, which counts every write committed before this transaction and none
 *    after it (D1 runs batches one at a time), so each event is folded exactly once.
 * Added to a consumer write's batch it also folds that write's own events.
 */
export const foldStatements = (db: D1Database, clock: FoldClock): D1PreparedStatement[] => {
  const bind = (sql: string) => db.prepare(sql).bind(clock.now, clock.intervalMs);
  return [
    bind(`WITH ${UNFOLDED} SELECT DISTINCT account_id AS accountId, key_id AS keyId FROM unfolded`),
    bind(
      `WITH ${UNFOLDED}
       INSERT INTO usage_daily (day, key_id, model, account_id, requests, input_tokens, output_tokens, cache_read_tokens,
         cache_write_tokens, reasoning_tokens, cost_micros)
       SELECT strftime('%Y-%m-%d', created_at / 1000, 'unixepoch'), key_id, model, MAX(account_id), COUNT(*), SUM(input_tokens), SUM(output_tokens),
         SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(cost_micros)
       FROM unfolded WHERE true GROUP BY 1, 2, 3
       ON CONFLICT (day, key_id, model) DO UPDATE SET requests = requests + excluded.requests, input_tokens = input_tokens + excluded.input_tokens,
         output_tokens = output_tokens + excluded.output_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
         cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
         cost_micros = cost_micros + excluded.cost_micros`,
    ),
    bind(
      `WITH ${UNFOLDED}
       INSERT INTO ledger (id, account_id, kind, amount_micros, reference, created_at)
       SELECT 'led_charge_' || reference, account_id, 'charge', -SUM(cost_micros), reference, MIN(created_at / 3600000 * 3600000)
       FROM (SELECT account_id, cost_micros, created_at, ${HOUR_REFERENCE} AS reference FROM unfolded
             WHERE charged = 1 AND cost_micros > 0 AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = unfolded.account_id))
       WHERE true GROUP BY reference
       ON CONFLICT (id) DO UPDATE SET amount_micros = amount_micros + excluded.amount_micros`,
    ),
    bind(
      `WITH ${UNFOLDED}
       UPDATE accounts SET balance_micros = balance_micros + m.delta
       FROM (SELECT account_id, -SUM(cost_micros) AS delta FROM unfolded WHERE charged = 1 AND cost_micros > 0 GROUP BY account_id) m
       WHERE accounts.id = m.account_id`,
    ),
    bind(`UPDATE usage_fold SET folded = seq, pending_from = NULL, folded_at = ?1 WHERE id = 1 AND ${DUE}`),
  ];
};

const subjectsOf = (result: D1Result<FoldedSubject> | undefined): FoldedSubject[] => result?.results ?? [];

/**
 * Writes usage events and, in the same transaction, folds everything unfolded when the fold is due.
 * Returns the subjects the fold counted ([] when it was not due).
 */
export const writeUsage = async (
  env: Env,
  events: readonly UsageEvent[],
  prices: ReadonlyMap<string, ModelPrice>,
  clock: FoldClock = foldClockOf(env),
): Promise<FoldedSubject[]> => {
  const writes = usageWriteStatements(env.DB, events, prices);
  const results = await env.DB.batch<FoldedSubject>([...writes, ...foldStatements(env.DB, clock)]);
  return subjectsOf(results[writes.length]);
};

/** The fold alone, when due: the cron's backstop, so the last events of a quiet relay are folded too. */
export const foldUsage = async (env: Env, clock: FoldClock = foldClockOf(env)): Promise<FoldedSubject[]> =>
  subjectsOf((await env.DB.batch<FoldedSubject>(foldStatements(env.DB, clock)))[0]);
