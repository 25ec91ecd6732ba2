import { Hono } from 'hono';
import * as z from 'zod/mini';
import { configOf, type AppEnv } from '../env';
import { invalidRequest, RelayError } from '../errors';
import { randomId } from '../protocols/shared/ids';
import { forgetSpendCache } from '../usage/billing';
import { accountView, findAccount, insertAccount, ledgerPage, listAccounts, recentAlerts, updateAccountSettings } from '../usage/accounts';
import { assertPublicUrl } from '../net/url-safety';
import { rotateWebhookSecret, webhookSecretOf } from '../images/queue/webhook-secret';
import { applyLedgerEntry, ledgerEntryId, ledgerReference } from '../usage/ledger';
import { microsOf } from '../usage/money';
import { parseQuery } from '../usage/usage-filter';
import { parseAdminBody } from './validate';

const accountCreateSchema = z.strictObject({
  id: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - (max 64)'))),
  name: z.string().check(z.minLength(1), z.maxLength(200)),
});

/** Budget alerts: where they go (checked like client URLs, see url-safety.ts) and the monthly budget in dollars they measure. */
const accountUpdateSchema = z.strictObject({
  name: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  alertWebhookUrl: z.optional(z.nullable(z.string().check(z.minLength(1)))),
  monthlyBudget: z.optional(z.nullable(z.number().check(z.positive(), z.lte(1_000_000_000)))),
});

/** Dollars, at least one micro-dollar, at most a million dollars per entry. */
const amount = z.number().check(z.gte(0.000001), z.lte(1_000_000));
const REFERENCE = /^[A-Za-z0-9_.:-]{1,128}$/;
const REFERENCE_RULE = 'letters, digits, _ . : - (max 128)';
const reference = z.string().check(z.regex(REFERENCE, REFERENCE_RULE));
const topupSchema = z.strictObject({ amount, reference: z.optional(reference) });
const refundSchema = z.strictObject({ amount, reference });
const pageQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
  cursor: z.optional(z.string().check(z.minLength(1))),
});

/**
 * A top-up's reference: the body's `reference` or the `Idempotency-Key` header (the same value when
 * both are sent). One of them is required: a reference the server made up would credit a retried
 * call twice, so there is none.
 */
const topupReference = (bodyReference: string | undefined, idempotencyKey: string | undefined): string => {
  if (idempotencyKey !== undefined && !REFERENCE.test(idempotencyKey)) throw invalidRequest(`Idempotency-Key: ${REFERENCE_RULE}`, 'Idempotency-Key');
  if (bodyReference !== undefined && idempotencyKey !== undefined && bodyReference !== idempotencyKey) {
    throw invalidRequest('reference: differs from the Idempotency-Key header; send one of them, or the same value in both', 'reference');
  }
  const chosen = bodyReference ?? idempotencyKey;
  if (chosen === undefined) throw invalidRequest('reference: Required: a top-up needs a reference (or an Idempotency-Key header), so that a retried call credits once', 'reference');
  return chosen;
};

const requireAccount = async (c: { env: AppEnv['Bindings'] }, id: string) => {
  const account = await findAccount(c.env, id);
  if (account === null) throw new RelayError('not_found', 404, `account "${id}" not found`);
  return account;
};

/**
 * A top-up or refund through applyLedgerEntry: exactly once per (kind, reference), so a retried admin
 * call with the same reference changes nothing (200, outcome "duplicate"); the first one answers 201.
 */
const credit = async (c: { env: AppEnv['Bindings'] }, accountId: string, kind: 'topup' | 'refund', dollars: number, ref: string) => {
  await requireAccount(c, accountId);
  const source = kind === 'topup' ? 'topup' : 'admin';
  const outcome = await applyLedgerEntry(c.env, { accountId, kind, source, amountMicros: microsOf(dollars), reference: ref, now: Date.now() });
  forgetSpendCache(accountId);
  if (outcome === 'conflict') throw new RelayError('invalid_request', 409, `reference "${ref}" was already used for a different ${kind}`);
  const account = await requireAccount(c, accountId);
  return { outcome, entryId: ledgerEntryId(kind, ledgerReference(source, accountId, ref)), reference: ref, account: accountView(account) };
};

/** /admin/accounts: accounts, balances, top-ups, refunds and the ledger behind every balance. */
export const accountAdminRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const input = await parseAdminBody(c.req.raw, accountCreateSchema);
    const id = input.id ?? `acct_${randomId(20)}`;
    if (!(await insertAccount(c.env, id, input.name, Date.now()))) throw new RelayError('invalid_request', 409, `account "${id}" already exists`);
    return c.json(accountView(await requireAccount(c, id)), 201);
  })
  .get('/', async (c) => {
    const query = parseQuery(c.req.query(), pageQuery);
    const rows = await listAccounts(c.env, query.cursor ?? null, query.limit);
    const last = rows.at(-1);
    return c.json({ object: 'list', data: rows.map(accountView), nextCursor: rows.length === query.limit && last ? last.id : null });
  })
  .get('/:id', async (c) => {
    const account = await requireAccount(c, c.req.param('id'));
    const webhook = await webhookSecretOf(c.env, account.id);
    return c.json({ ...accountView(account), webhookSecret: webhook?.secret ?? null, webhookSecretVersion: webhook?.version ?? null });
  })
  .patch('/:id', async (c) => {
    const id = c.req.param('id');
    const input = await parseAdminBody(c.req.raw, accountUpdateSchema);
    if (typeof input.alertWebhookUrl === 'string') {
      assertPublicUrl(input.alertWebhookUrl, { allowData: false, allowPrivate: configOf(c.env).allowPrivateUrls, param: 'alertWebhookUrl' });
    }
    const updated = await updateAccountSettings(c.env, id, {
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.alertWebhookUrl === undefined ? {} : { alertWebhookUrl: input.alertWebhookUrl }),
      ...(input.monthlyBudget === undefined ? {} : { monthlyBudgetMicros: input.monthlyBudget === null ? null : microsOf(input.monthlyBudget) }),
    });
    if (!updated) throw new RelayError('not_found', 404, `account "${id}" not found`);
    return c.json(accountView(await requireAccount(c, id)));
  })
  .get('/:id/alerts', async (c) => {
    const account = await requireAccount(c, c.req.param('id'));
    const query = parseQuery(c.req.query(), z.strictObject({ limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100) }));
    return c.json({ object: 'list', data: await recentAlerts(c.env, account.id, query.limit) });
  })
  .post('/:id/webhook-secret/rotate', async (c) => {
    const account = await requireAccount(c, c.req.param('id'));
    const webhook = await rotateWebhookSecret(c.env, account.id);
    if (webhook === null) throw new RelayError('api_error', 500, 'webhook signing is not configured on this relay (WEBHOOK_SECRET is unset)');
    return c.json({ accountId: account.id, webhookSecret: webhook.secret, webhookSecretVersion: webhook.version });
  })
  .post('/:id/topup', async (c) => {
    const input = await parseAdminBody(c.req.raw, topupSchema);
    const result = await credit(c, c.req.param('id'), 'topup', input.amount, topupReference(input.reference, c.req.header('idempotency-key')));
    return c.json(result, result.outcome === 'applied' ? 201 : 200);
  })
  .post('/:id/refund', async (c) => {
    const input = await parseAdminBody(c.req.raw, refundSchema);
    const result = await credit(c, c.req.param('id'), 'refund', input.amount, input.reference);
    return c.json(result, result.outcome === 'applied' ? 201 : 200);
  })
  .get('/:id/ledger', async (c) => {
    const id = c.req.param('id');
    const query = parseQuery(c.req.query(), pageQuery);
    await requireAccount(c, id);
    const page = await ledgerPage(c.env, id, query.cursor ?? null, query.limit);
    return c.json({ object: 'list', ...page });
  });
