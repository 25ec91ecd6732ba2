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
  alert_webhook_url: string | null;
  monthly_budget_micros: number | null;
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
const ACCOUNT_COLUMNS = `a.id, a.name, a.balance_micros, a.created_at, a.alert_webhook_url, a.monthly_budget_micros,
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
  alertWebhookUrl: account.alert_webhook_url,
  monthlyBudget: account.monthly_budget_micros === null ? null : dollarsOf(account.monthly_budget_micros),
});

/** Sets the account's alert settings; a field left undefined is kept. false when the account does not exist. */
export const updateAccountSettings = async (
  env: Env,
  id: string,
  settings: { name?: string; alertWebhookUrl?: string | null; monthlyBudgetMicros?: number | null },
): Promise<boolean> => {
  const sets: string[] = [];
  const params: Array<string | number | null> = [];
  const set = (column: string, value: string | number | null | undefined) => {
    if (value === undefined) return;
    params.push(value);
    sets.push(`${column} = ?${params.length}`);
  };
  set('name', settings.name);
  set('alert_webhook_url', settings.alertWebhookUrl);
  set('monthly_budget_micros', settings.monthlyBudgetMicros);
  if (sets.length === 0) return (await findAccount(env, id)) !== null;
  params.push(id);
  const result = await env.DB.prepare(`UPDATE accounts SET ${sets.join(', ')} WHERE id = ?${params.length}`).bind(...params).run();
  return result.meta.changes === 1;
};

export interface BudgetAlertRow {
  subject: string;
  threshold: number;
  period: string;
  state: string;
  attempts: number;
  last_error: string | null;
  payload: string;
  created_at: number;
}

/** The account's newest budget alerts and how their delivery went. */
export const recentAlerts = async (env: Env, accountId: string, limit: number) => {
  const result = await env.DB.prepare('SELECT * FROM budget_alerts WHERE account_id = ?1 ORDER BY created_at DESC LIMIT ?2').bind(accountId, limit).all<BudgetAlertRow>();
  return result.results.map((row) => ({
    subject: row.subject,
    thresholdPercent: row.threshold,
    period: row.period,
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: new Date(row.created_at).toISOString(),
    payload: JSON.parse(row.payload) as unknown,
  }));
};

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
