import { Hono } from 'hono';
import * as z from 'zod/mini';
import type { AppEnv } from '../env';
import { parseQuery } from '../usage/usage-filter';
import { accountCreateSchema, accountUpdateSchema, refundSchema, topupSchema } from './account-schema';
import {
  accountAlerts,
  accountLedger,
  createAccount,
  creditAccount,
  getAccountWithWebhookSecret,
  listAccountPage,
  rotateAccountWebhookSecret,
  topupReference,
  updateAccount,
} from './services/accounts';
import { parseAdminBody } from './validate';

const pageQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
  cursor: z.optional(z.string().check(z.minLength(1))),
});
const alertsQuery = z.strictObject({ limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100) });

/** /admin/accounts: accounts, balances, top-ups, refunds and the ledger behind every balance (services/accounts.ts does the work). */
export const accountAdminRoutes = new Hono<AppEnv>()
  .post('/', async (c) => c.json(await createAccount(c.env, await parseAdminBody(c.req.raw, accountCreateSchema)), 201))
  .get('/', async (c) => {
    const query = parseQuery(c.req.query(), pageQuery);
    return c.json({ object: 'list', ...(await listAccountPage(c.env, query.cursor ?? null, query.limit)) });
  })
  .get('/:id', async (c) => c.json(await getAccountWithWebhookSecret(c.env, c.req.param('id'))))
  .patch('/:id', async (c) => c.json(await updateAccount(c.env, c.req.param('id'), await parseAdminBody(c.req.raw, accountUpdateSchema))))
  .get('/:id/alerts', async (c) => {
    const id = c.req.param('id');
    return c.json({ object: 'list', data: await accountAlerts(c.env, id, parseQuery(c.req.query(), alertsQuery).limit) });
  })
  .post('/:id/webhook-secret/rotate', async (c) => c.json(await rotateAccountWebhookSecret(c.env, c.req.param('id'))))
  .post('/:id/topup', async (c) => {
    const input = await parseAdminBody(c.req.raw, topupSchema);
    const result = await creditAccount(c.env, c.req.param('id'), 'topup', input.amount, topupReference(input.reference, c.req.header('idempotency-key')));
    return c.json(result, result.outcome === 'applied' ? 201 : 200);
  })
  .post('/:id/refund', async (c) => {
    const input = await parseAdminBody(c.req.raw, refundSchema);
    const result = await creditAccount(c.env, c.req.param('id'), 'refund', input.amount, input.reference);
    return c.json(result, result.outcome === 'applied' ? 201 : 200);
  })
  .get('/:id/ledger', async (c) => {
    const query = parseQuery(c.req.query(), pageQuery);
    return c.json({ object: 'list', ...(await accountLedger(c.env, c.req.param('id'), query.cursor ?? null, query.limit)) });
  });
