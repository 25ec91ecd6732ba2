import { configOf, type Env } from '../../env';
import { invalidRequest, RelayError } from '../../errors';
import { rotateWebhookSecret, webhookSecretOf } from '../../images/queue/webhook-secret';
import { assertPublicUrl } from '../../net/url-safety';
import { randomId } from '../../protocols/shared/ids';
import { accountView, findAccount, insertAccount, ledgerPage, listAccounts, recentAlerts, updateAccountSettings, type AccountRecord } from '../../usage/accounts';
import { forgetSpendCache } from '../../usage/billing';
import { applyLedgerEntry, ledgerEntryId, ledgerReference, type LedgerOutcome } from '../../usage/ledger';
import { microsOf } from '../../usage/money';
import { REFERENCE, REFERENCE_RULE, type AccountCreate, type AccountUpdate } from '../account-schema';

export type AccountView = ReturnType<typeof accountView>;
export type LedgerPage = Awaited<ReturnType<typeof ledgerPage>>;

export interface CreditResult {
  /** "applied" the first time a reference is used; "duplicate" when it was applied before (nothing changed). */
  outcome: Exclude<LedgerOutcome, 'conflict'>;
  entryId: string;
  reference: string;
  account: AccountView;
}

const requireAccount = async (env: Env, id: string): Promise<AccountRecord> => {
  const account = await findAccount(env, id);
  if (account === null) throw new RelayError('not_found', 404, `account "${id}" not found`);
  return account;
};

export const createAccount = async (env: Env, input: AccountCreate): Promise<AccountView> => {
  const id = input.id ?? `acct_${randomId(20)}`;
  if (!(await insertAccount(env, id, input.name, Date.now()))) throw new RelayError('invalid_request', 409, `account "${id}" already exists`);
  return accountView(await requireAccount(env, id));
};

/** A page of accounts in id order; `nextCursor` is the id to pass as `cursor` for the next page. */
export const listAccountPage = async (env: Env, cursor: string | null, limit: number): Promise<{ data: AccountView[]; nextCursor: string | null }> => {
  const rows = await listAccounts(env, cursor, limit);
  const last = rows.at(-1);
  return { data: rows.map(accountView), nextCursor: rows.length === limit && last ? last.id : null };
};

export const getAccount = async (env: Env, id: string): Promise<AccountView> => accountView(await requireAccount(env, id));

/** The account, or null when there is none (a page that shows "not found" instead of failing). */
export const findAccountById = async (env: Env, id: string): Promise<AccountView | null> => {
  const account = await findAccount(env, id);
  return account === null ? null : accountView(account);
};

/** The account with the secret its image webhooks are signed with (null when signing is not configured). */
export const getAccountWithWebhookSecret = async (env: Env, id: string) => {
  const account = await requireAccount(env, id);
  const webhook = await webhookSecretOf(env, account.id);
  return { ...accountView(account), webhookSecret: webhook?.secret ?? null, webhookSecretVersion: webhook?.version ?? null };
};

export const updateAccount = async (env: Env, id: string, input: AccountUpdate): Promise<AccountView> => {
  if (typeof input.alertWebhookUrl === 'string') {
    assertPublicUrl(input.alertWebhookUrl, { allowData: false, allowPrivate: configOf(env).allowPrivateUrls, param: 'alertWebhookUrl' });
  }
  const updated = await updateAccountSettings(env, id, {
    ...(input.name === undefined ? {} : { name: input.name }),
    ...(input.alertWebhookUrl === undefined ? {} : { alertWebhookUrl: input.alertWebhookUrl }),
    ...(input.monthlyBudget === undefined ? {} : { monthlyBudgetMicros: input.monthlyBudget === null ? null : microsOf(input.monthlyBudget) }),
  });
  if (!updated) throw new RelayError('not_found', 404, `account "${id}" not found`);
  return getAccount(env, id);
};

export const accountAlerts = async (env: Env, id: string, limit: number) => recentAlerts(env, (await requireAccount(env, id)).id, limit);

export const rotateAccountWebhookSecret = async (env: Env, id: string) => {
  const account = await requireAccount(env, id);
  const webhook = await rotateWebhookSecret(env, account.id);
  if (webhook === null) throw new RelayError('api_error', 500, 'webhook signing is not configured on this relay (WEBHOOK_SECRET is unset)');
  return { accountId: account.id, webhookSecret: webhook.secret, webhookSecretVersion: webhook.version };
};

export const accountLedger = async (env: Env, id: string, cursor: string | null, limit: number): Promise<LedgerPage> => {
  await requireAccount(env, id);
  return ledgerPage(env, id, cursor, limit);
};

/**
 * A top-up's reference: the body's `reference` or the `Idempotency-Key` header (the same value when
 * both are sent). One of them is required: a reference the server made up would credit a retried
 * call twice, so there is none.
 */
export const topupReference = (bodyReference: string | undefined, idempotencyKey: string | undefined): string => {
  if (idempotencyKey !== undefined && !REFERENCE.test(idempotencyKey)) throw invalidRequest(`Idempotency-Key: ${REFERENCE_RULE}`, 'Idempotency-Key');
  if (bodyReference !== undefined && idempotencyKey !== undefined && bodyReference !== idempotencyKey) {
    throw invalidRequest('reference: differs from the Idempotency-Key header; send one of them, or the same value in both', 'reference');
  }
  const chosen = bodyReference ?? idempotencyKey;
  if (chosen === undefined) throw invalidRequest('reference: Required: a top-up needs a reference (or an Idempotency-Key header), so that a retried call credits once', 'reference');
  return chosen;
};

/**
 * A top-up or refund through applyLedgerEntry: exactly once per (kind, reference), so a retried call
 * with the same reference changes nothing (outcome "duplicate"); the same reference for another
 * amount is a 409.
 */
export const creditAccount = async (env: Env, accountId: string, kind: 'topup' | 'refund', dollars: number, reference: string): Promise<CreditResult> => {
  await requireAccount(env, accountId);
  const source = kind === 'topup' ? 'topup' : 'admin';
  const outcome = await applyLedgerEntry(env, { accountId, kind, source, amountMicros: microsOf(dollars), reference, now: Date.now() });
  forgetSpendCache(accountId);
  if (outcome === 'conflict') throw new RelayError('invalid_request', 409, `reference "${reference}" was already used for a different ${kind}`);
  return { outcome, entryId: ledgerEntryId(kind, ledgerReference(source, accountId, reference)), reference, account: await getAccount(env, accountId) };
};
