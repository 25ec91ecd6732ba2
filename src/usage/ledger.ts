import type { Env } from '../env';

/** hold / release: a prepaid request's reservation and its return (src/usage/spend-hold.ts). */
export type LedgerKind = 'topup' | 'charge' | 'refund' | 'hold' | 'release';
/** Who wrote an entry; part of its reference, so one source can never collide with another's ids. */
export type LedgerSource = 'usage' | 'image' | 'topup' | 'admin';
/** `conflict`: an entry with this reference exists but is not the same entry (other amount or account). */
export type LedgerOutcome = 'applied' | 'duplicate' | 'insufficient' | 'conflict';

export interface LedgerEntry {
  accountId: string;
  kind: LedgerKind;
  source: LedgerSource;
  /** Signed micro-dollars: charges and holds are negative, top-ups, refunds and releases positive. */
  amountMicros: number;
  /** The source's own id (request id, task id, top-up reference); namespaced by ledgerReference. */
  reference: string;
  /** Refuse the entry when it would take the balance below zero. */
  requireFunds?: boolean;
  now: number;
}

/**
 * The stored reference: source, account and the source's id. References are unique per kind, so
 * without the namespace a request id could be chosen to equal an image task id (or another
 * account's top-up reference) and make a real charge look already paid.
 */
export const ledgerReference = (source: LedgerSource, accountId: string, reference: string): string => `${source}:${accountId}:${reference}`;

/** The source's own id back out of a stored reference (entries from before namespacing are returned whole). */
export const splitLedgerReference = (stored: string): { source: string | null; reference: string } => {
  const match = /^(usage|image|topup|admin):[^:]*:(.*)$/s.exec(stored);
  return match?.[1] !== undefined && match[2] !== undefined ? { source: match[1], reference: match[2] } : { source: null, reference: stored };
};

/** One id per kind and stored reference, so an entry written by any path collides with its own retry. */
export const ledgerEntryId = (kind: LedgerKind, storedReference: string): string => `led_${kind}_${storedReference}`;

/**
 * One balance change, atomically and exactly once: the ledger row is inserted only if no row of the
 * same kind and reference exists (and, with requireFunds, only if the balance covers it), and the
 * account balance moves only when that insert happened (changes() = 1), in one D1 batch. So the
 * balance is always the sum of the ledger, whatever is retried. A row already there counts as this
 * entry only when it is the same entry (account, kind, amount); otherwise the outcome is `conflict`
 * and callers must not treat it as paid.
 */
export const applyLedgerEntry = async (env: Env, entry: LedgerEntry): Promise<LedgerOutcome> => {
  const reference = ledgerReference(entry.source, entry.accountId, entry.reference);
  const id = ledgerEntryId(entry.kind, reference);
  const fundsCondition = entry.requireFunds ? 'AND (SELECT balance_micros FROM accounts WHERE id = ?2) + ?4 >= 0' : '';
  const [inserted] = await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO ledger (id, account_id, kind, amount_micros, reference, created_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2) ${fundsCondition}
       ON CONFLICT DO NOTHING`,
    ).bind(id, entry.accountId, entry.kind, entry.amountMicros, reference, entry.now),
    env.DB.prepare('UPDATE accounts SET balance_micros = balance_micros + ?1 WHERE id = ?2 AND changes() = 1').bind(entry.amountMicros, entry.accountId),
  ]);
  if ((inserted?.meta.changes ?? 0) === 1) return 'applied';
  const existing = await env.DB.prepare('SELECT account_id, amount_micros FROM ledger WHERE kind = ?1 AND reference = ?2')
    .bind(entry.kind, reference)
    .first<{ account_id: string; amount_micros: number }>();
  if (existing === null) return 'insufficient';
  return existing.account_id === entry.accountId && existing.amount_micros === entry.amountMicros ? 'duplicate' : 'conflict';
};

export const accountBalanceMicros = async (env: Env, accountId: string): Promise<number | undefined> => {
  const row = await env.DB.prepare('SELECT balance_micros FROM accounts WHERE id = ?1').bind(accountId).first<{ balance_micros: number }>();
  return row?.balance_micros;
};

/**
 * Moves the balance by the amount of ledger row `id` when the statement just before inserted it
 * (changes() = 1): the second half of every two-statement ledger write below.
 */
const balanceFollowsRow = (db: D1Database, id: string): D1PreparedStatement =>
  db
    .prepare(
      `UPDATE accounts SET balance_micros = balance_micros + (SELECT amount_micros FROM ledger WHERE id = ?1)
       WHERE id = (SELECT account_id FROM ledger WHERE id = ?1) AND changes() = 1`,
    )
    .bind(id);

/**
 * Returns a request's reservation (its `hold` row) as a `release` row of the opposite amount, at
 * most once, and only when the hold exists: two statements for a D1 batch.
 */
export const releaseHoldStatements = (db: D1Database, accountId: string, requestId: string, now: number): D1PreparedStatement[] => {
  const reference = ledgerReference('usage', accountId, requestId);
  const releaseId = ledgerEntryId('release', reference);
  return [
    db
      .prepare(
        `INSERT INTO ledger (id, account_id, kind, amount_micros, reference, created_at)
         SELECT ?1, account_id, 'release', -amount_micros, reference, ?3 FROM ledger WHERE id = ?2
         ON CONFLICT DO NOTHING`,
      )
      .bind(releaseId, ledgerEntryId('hold', reference), now),
    balanceFollowsRow(db, releaseId),
  ];
};

export interface ChargeableEvent {
  requestId: string;
  accountId: string;
  createdAt: number;
}

/**
 * The prepaid settlement of one stored usage event, as statements for the consumer's D1 batch: its
 * reservation released (if it had one) and the charge written (kind 'charge', amount = minus the
 * event's stored cost), each with its balance move guarded by changes() = 1 exactly as
 * applyLedgerEntry does. Reading the amount from usage_events, not from the message, keeps a
 * redelivery after a price change debiting what was recorded; the event row must belong to the same
 * account. `billing` null (an event from before the field existed) falls back to the key's mode.
 * A charge may take the balance below zero: the tokens were already spent; the next request is refused.
 */
export const usageChargeStatements = (db: D1Database, event: ChargeableEvent, billing: 'subscription' | 'prepaid' | null): D1PreparedStatement[] => {
  const reference = ledgerReference('usage', event.accountId, event.requestId);
  const chargeId = ledgerEntryId('charge', reference);
  return [
    ...releaseHoldStatements(db, event.accountId, event.requestId, event.createdAt),
    db
      .prepare(
        `INSERT INTO ledger (id, account_id, kind, amount_micros, reference, created_at)
         SELECT ?1, e.account_id, 'charge', -e.cost_micros, ?4, e.created_at FROM usage_events e
         WHERE e.request_id = ?2 AND e.account_id = ?5 AND e.cost_micros > 0 AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = e.account_id)
           AND (?3 = 'prepaid' OR (?3 IS NULL AND EXISTS (SELECT 1 FROM api_keys k WHERE k.id = e.key_id AND k.billing = 'prepaid')))
         ON CONFLICT DO NOTHING`,
      )
      .bind(chargeId, event.requestId, billing, reference, event.accountId),
    balanceFollowsRow(db, chargeId),
  ];
};
