import type { Env } from '../env';

/** A prepaid request's reservation is not a ledger entry: it lives in the account's AccountBalance object (account-balance.ts). */
export type LedgerKind = 'topup' | 'charge' | 'refund';
/** Who wrote an entry; part of its reference, so one source can never collide with another's ids. */
export type LedgerSource = 'usage' | 'image' | 'topup' | 'admin';
/** `conflict`: an entry with this reference exists but is not the same entry (other amount or account). */
export type LedgerOutcome = 'applied' | 'duplicate' | 'insufficient' | 'conflict';

export interface LedgerEntry {
  accountId: string;
  kind: LedgerKind;
  source: LedgerSource;
  /** Signed micro-dollars: charges are negative, top-ups and refunds positive. */
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
