import type { Env } from '../env';

export type LedgerKind = 'topup' | 'charge' | 'refund';
export type LedgerOutcome = 'applied' | 'duplicate' | 'insufficient';

export interface LedgerEntry {
  accountId: string;
  kind: LedgerKind;
  /** Signed micro-dollars: charges are negative, top-ups and refunds positive. */
  amountMicros: number;
  /** Idempotency reference (request id, task id, top-up id): one entry per kind and reference, ever. */
  reference: string;
  /** Refuse the entry when it would take the balance below zero. */
  requireFunds?: boolean;
  now: number;
}

/**
 * One balance change, atomically and exactly once: the ledger row is inserted only if no row of the
 * same kind and reference exists (and, with requireFunds, only if the balance covers it), and the
 * account balance moves only when that insert happened (changes() = 1), in one D1 batch. So the
 * balance is always the sum of the ledger, whatever is retried.
 */
/** One id per kind and reference, so an entry written by any path collides with its own retry. */
export const ledgerEntryId = (kind: LedgerKind, reference: string): string => `led_${kind}_${reference}`;

export const applyLedgerEntry = async (env: Env, entry: LedgerEntry): Promise<LedgerOutcome> => {
  const id = ledgerEntryId(entry.kind, entry.reference);
  const fundsCondition = entry.requireFunds ? 'AND (SELECT balance_micros FROM accounts WHERE id = ?2) + ?4 >= 0' : '';
  const [inserted] = await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO ledger (id, account_id, kind, amount_micros, reference, created_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2) ${fundsCondition}
       ON CONFLICT DO NOTHING`,
    ).bind(id, entry.accountId, entry.kind, entry.amountMicros, entry.reference, entry.now),
    env.DB.prepare('UPDATE accounts SET balance_micros = balance_micros + ?1 WHERE id = ?2 AND changes() = 1').bind(entry.amountMicros, entry.accountId),
  ]);
  if ((inserted?.meta.changes ?? 0) === 1) return 'applied';
  const existing = await env.DB.prepare('SELECT 1 FROM ledger WHERE kind = ?1 AND reference = ?2').bind(entry.kind, entry.reference).first();
  return existing === null ? 'insufficient' : 'duplicate';
};

export const accountBalanceMicros = async (env: Env, accountId: string): Promise<number | undefined> => {
  const row = await env.DB.prepare('SELECT balance_micros FROM accounts WHERE id = ?1').bind(accountId).first<{ balance_micros: number }>();
  return row?.balance_micros;
};

/**
 * The prepaid charge for one stored usage event, as two statements for the consumer's D1 batch: the
 * ledger row (kind 'charge', reference = request id, amount = minus the event's stored cost) and the
 * balance move guarded by changes() = 1, exactly as applyLedgerEntry does. Reading the amount from
 * usage_events, not from the message, keeps a redelivery after a price change debiting what was
 * recorded. `billing` null (an event from before the field existed) falls back to the key's mode.
 * A charge may take the balance below zero: the tokens were already spent; the next request is refused.
 */
export const usageChargeStatements = (db: D1Database, requestId: string, billing: 'subscription' | 'prepaid' | null): D1PreparedStatement[] => [
  db
    .prepare(
      `INSERT INTO ledger (id, account_id, kind, amount_micros, reference, created_at)
       SELECT ?1, e.account_id, 'charge', -e.cost_micros, e.request_id, e.created_at FROM usage_events e
       WHERE e.request_id = ?2 AND e.cost_micros > 0 AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = e.account_id)
         AND (?3 = 'prepaid' OR (?3 IS NULL AND EXISTS (SELECT 1 FROM api_keys k WHERE k.id = e.key_id AND k.billing = 'prepaid')))
       ON CONFLICT DO NOTHING`,
    )
    .bind(ledgerEntryId('charge', requestId), requestId, billing),
  db
    .prepare(
      `UPDATE accounts SET balance_micros = balance_micros + (SELECT amount_micros FROM ledger WHERE id = ?1)
       WHERE id = (SELECT account_id FROM ledger WHERE id = ?1) AND changes() = 1`,
    )
    .bind(ledgerEntryId('charge', requestId)),
];
