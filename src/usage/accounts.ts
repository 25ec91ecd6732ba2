import type { Env } from '../env';
import { invalidRequest } from '../errors';
import { splitLedgerReference, type LedgerKind } from './ledger';
import { dollarsOf } from './money';

export interface AccountRecord {
  id: string;
  name: string;
  balance_micros: number;
  created_at: number;
  ledger_sum_micros: number;
  ledger_entries: number;
  key_count: number;
}

export interface LedgerRow {
  id: string;
  account_id: string;
  kind: LedgerKind;
  amount_micros: number;
  reference: string;
  created_at: number;
}

// The ledger sum is read beside the balance so an operator (and the tests) can see the invariant hold.
const ACCOUNT_COLUMNS = `a.id, a.name, a.balance_micros, a.created_at,
  (SELECT COALESCE(SUM(amount_micros), 0) FROM ledger l WHERE l.account_id = a.id) AS ledger_sum_micros,
  (SELECT COUNT(*) FROM ledger l WHERE l.account_id = a.id) AS ledger_entries,
  (SELECT COUNT(*) FROM api_keys k WHERE k.account_id = a.id) AS key_count`;

export const findAccount = (env: Env, id: string): Promise<AccountRecord | null> =>
  env.DB.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = ?1`).bind(id).first<AccountRecord>();

/** false when an account with this id exists already. */
export const insertAccount = async (env: Env, id: string, name: string, now: number): Promise<boolean> => {
  const result = await env.DB.prepare('INSERT INTO accounts (id, name, balance_micros, created_at) VALUES (?1, ?2, 0, ?3) ON CONFLICT DO NOTHING')
    .bind(id, name, now)
    .run();
  return result.meta.changes === 1;
};

export const listAccounts = async (env: Env, afterId: string | null, limit: number): Promise<AccountRecord[]> => {
  const result = await env.DB.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.id > ?1 ORDER BY a.id LIMIT ?2`)
    .bind(afterId ?? '', limit)
    .all<AccountRecord>();
  return result.results;
};

export const accountView = (account: AccountRecord) => ({
  id: account.id,
  name: account.name,
  balance: dollarsOf(account.balance_micros),
  balanceMicros: account.balance_micros,
  ledgerBalanceMicros: account.ledger_sum_micros,
  ledgerEntries: account.ledger_entries,
  keys: account.key_count,
  createdAt: new Date(account.created_at).toISOString(),
});

const ledgerView = (row: LedgerRow) => {
  const { source, reference } = splitLedgerReference(row.reference);
  return {
    id: row.id,
    kind: row.kind,
    source,
    amount: dollarsOf(row.amount_micros),
    amountMicros: row.amount_micros,
    reference,
    createdAt: new Date(row.created_at).toISOString(),
  };
};

const parseLedgerCursor = (raw: string): { createdAt: number; id: string } => {
  const separator = raw.indexOf(':');
  const createdAt = Number(raw.slice(0, separator));
  if (separator <= 0 || !Number.isSafeInteger(createdAt)) throw invalidRequest('cursor is not valid', 'cursor');
  return { createdAt, id: raw.slice(separator + 1) };
};

/** Newest entries first, keyset-paginated on (created_at, id). */
export const ledgerPage = async (env: Env, accountId: string, cursor: string | null, limit: number) => {
  const after = cursor === null ? null : parseLedgerCursor(cursor);
  const statement =
    after === null
      ? env.DB.prepare('SELECT * FROM ledger WHERE account_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2').bind(accountId, limit)
      : env.DB.prepare('SELECT * FROM ledger WHERE account_id = ?1 AND (created_at, id) < (?2, ?3) ORDER BY created_at DESC, id DESC LIMIT ?4').bind(
          accountId,
          after.createdAt,
          after.id,
          limit,
        );
  const rows = (await statement.all<LedgerRow>()).results;
  const last = rows.at(-1);
  return { data: rows.map(ledgerView), nextCursor: rows.length === limit && last ? `${last.created_at}:${last.id}` : null };
};
