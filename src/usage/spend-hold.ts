import type { AuthenticatedKey } from '../auth/key-record';
import type { Env } from '../env';
import { balanceRefusal } from './billing';
import { ledgerEntryId, ledgerReference, releaseHoldStatements } from './ledger';

/**
 * Output tokens a prepaid request is assumed to produce when its money is reserved. The reservation
 * is min(estimate, balance): a request costing more than its reservation may still take the balance
 * somewhat below zero, by at most that difference per request in flight (which the prepaid default
 * concurrency cap bounds), never by the sum of many concurrent requests.
 */
export const HOLD_OUTPUT_TOKENS = 4_096;
/** A reservation whose usage event never arrived (an isolate died mid-request) is returned by the cron after this long. */
export const STALE_HOLD_MS = 60 * 60 * 1000;
const SWEEP_BATCH = 40;

export interface SpendHold {
  accountId: string;
  requestId: string;
}

export interface HoldInput {
  requestId: string;
  model: string;
  /** The first candidate's upstream name: an alias is priced by it when the public name has no price (as the usage event is). */
  upstreamModel?: string;
  inputTokens: number;
  now: number;
}

/**
 * Reserves a prepaid request's estimated maximum cost before any upstream call: a `hold` ledger row
 * of minus min(estimate, balance) with the balance moved in the same batch, written only while the
 * balance is above zero. D1 runs each batch as one transaction, so concurrent requests draw the
 * balance down one after another and the one that finds it at zero is refused: the balance is never
 * promised twice. The hold is released when the request's usage event is written (with its real
 * charge, same batch) or by releaseSpendHold when the request ends without one. Unpriced models
 * reserve nothing. undefined: nothing was held (not prepaid, or a free model).
 */
export const reserveSpend = async (env: Env, key: AuthenticatedKey, input: HoldInput): Promise<SpendHold | undefined> => {
  if (key.billing !== 'prepaid') return undefined;
  const reference = ledgerReference('usage', key.accountId, input.requestId);
  const holdId = ledgerEntryId('hold', reference);
  const [held, , balance] = await env.DB.batch<{ balance_micros: number }>([
    env.DB.prepare(
      // CAST: D1 may bind the numbers as REAL, and a fractional hold would leave float dust in the balance once settled.
      `INSERT INTO ledger (id, account_id, kind, amount_micros, reference, created_at)
       SELECT ?1, a.id, 'hold', -MIN(a.balance_micros, p.estimate), ?2, ?3
       FROM accounts a, (SELECT CAST((?4 * input_per_million_micros + ?5 * output_per_million_micros + 999999) / 1000000 AS INTEGER) AS estimate
                         FROM model_prices WHERE model IN (?6, ?8) ORDER BY model = ?6 DESC LIMIT 1) p
       WHERE a.id = ?7 AND a.balance_micros > 0 AND p.estimate > 0
       ON CONFLICT DO NOTHING`,
    ).bind(holdId, reference, input.now, Math.max(0, Math.ceil(input.inputTokens)), HOLD_OUTPUT_TOKENS, input.model, key.accountId, input.upstreamModel ?? input.model),
    env.DB.prepare('UPDATE accounts SET balance_micros = balance_micros + (SELECT amount_micros FROM ledger WHERE id = ?1) WHERE id = ?2 AND changes() = 1').bind(
      holdId,
      key.accountId,
    ),
    env.DB.prepare('SELECT balance_micros FROM accounts WHERE id = ?1').bind(key.accountId),
  ]);
  if ((held?.meta.changes ?? 0) === 1) return { accountId: key.accountId, requestId: input.requestId };
  const balanceMicros = balance?.results[0]?.balance_micros ?? 0;
  if (balanceMicros <= 0) throw balanceRefusal(key, balanceMicros);
  return undefined;
};

/** Returns a reservation at once, for a request that ends without a usage event. Idempotent. */
export const releaseSpendHold = async (env: Env, hold: SpendHold | undefined): Promise<void> => {
  if (hold === undefined) return;
  await env.DB.batch(releaseHoldStatements(env.DB, hold.accountId, hold.requestId));
};

/** Cron: returns reservations older than STALE_HOLD_MS that nothing released. Returns how many it released. */
export const releaseStaleHolds = async (env: Env, now: number): Promise<number> => {
  let released = 0;
  for (;;) {
    const stale = await env.DB.prepare(
      // A hold row exists only while its reservation is open: settling or releasing deletes it.
      `SELECT h.account_id, h.reference FROM ledger h WHERE h.kind = 'hold' AND h.created_at < ?1 LIMIT ?2`,
    )
      .bind(now - STALE_HOLD_MS, SWEEP_BATCH)
      .all<{ account_id: string; reference: string }>();
    if (stale.results.length === 0) return released;
    const prefix = (accountId: string) => ledgerReference('usage', accountId, '');
    await env.DB.batch(stale.results.flatMap((row) => releaseHoldStatements(env.DB, row.account_id, row.reference.slice(prefix(row.account_id).length))));
    released += stale.results.length;
    if (stale.results.length < SWEEP_BATCH) return released;
  }
};
