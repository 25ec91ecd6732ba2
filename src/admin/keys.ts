import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { forgetKey } from '../auth/key-cache';
import { displayPrefixOf, generateApiKey, hashApiKey } from '../auth/key-hash';
import { dbOf, tables } from '../db/client';
import { publicKeyView } from '../db/keys';
import { configOf, type AppEnv } from '../env';
import { RelayError } from '../errors';
import { randomId } from '../protocols/shared/ids';
import { resetQuota } from '../quota/quota-client';
import { assertAgentKeyRules } from './agent-key-rules';
import { keyCreateSchema, keyUpdateSchema, type KeyUpdate } from './key-schema';
import { parseAdminBody } from './validate';

const micros = (dollars: number | null | undefined) => (dollars === undefined ? undefined : dollars === null ? null : Math.round(dollars * 1_000_000));
const epoch = (iso: string | null | undefined) => (iso === undefined ? undefined : iso === null ? null : Date.parse(iso));

const updateFields = (input: KeyUpdate) => {
  const fields: Partial<typeof tables.apiKeys.$inferInsert> = {};
  if (input.name !== undefined) fields.name = input.name;
  if (input.kind !== undefined) fields.kind = input.kind;
  if (input.plan !== undefined) fields.planId = input.plan;
  if (input.scopes !== undefined) fields.scopes = input.scopes;
  if (input.models !== undefined) fields.models = input.models;
  if (input.billing !== undefined) fields.billing = input.billing;
  if (input.quotaOverrides !== undefined) fields.quotaOverrides = input.quotaOverrides;
  const cap = micros(input.monthlySpendCap);
  if (cap !== undefined) fields.monthlySpendCapMicros = cap;
  const expires = epoch(input.expiresAt);
  if (expires !== undefined) fields.expiresAt = expires;
  return fields;
};

const findKeyRow = async (c: { env: AppEnv['Bindings'] }, id: string) => {
  const [row] = await dbOf(c.env.DB).select().from(tables.apiKeys).where(eq(tables.apiKeys.id, id)).limit(1);
  if (row === undefined) throw new RelayError('not_found', 404, `key "${id}" not found`);
  return row;
};

/**
 * /admin/keys: the plaintext key is returned once, at creation; only its hash is stored. An agent
 * key's plaintext starts with KEY_PREFIX + "agent-", so a person holding one can tell what it is for.
 */
export const keyAdminRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const input = await parseAdminBody(c.req.raw, keyCreateSchema);
    const db = dbOf(c.env.DB);
    const now = Date.now();
    const { keyPrefix } = configOf(c.env);
    const plaintext = generateApiKey(input.kind === 'agent' ? `${keyPrefix}agent-` : keyPrefix);
    const id = `key_${randomId(20)}`;
    const accountId = input.accountId ?? `acct_${randomId(20)}`;
    if (input.accountId !== undefined) {
      const [account] = await db.select().from(tables.accounts).where(eq(tables.accounts.id, accountId)).limit(1);
      if (account === undefined) throw new RelayError('invalid_request', 400, `account "${accountId}" not found`, { param: 'accountId' });
    }
    const row = {
      id,
      accountId,
      name: input.name,
      kind: input.kind,
      keyHash: await hashApiKey(plaintext),
      displayPrefix: displayPrefixOf(plaintext, keyPrefix),
      planId: input.plan,
      billing: input.billing,
      scopes: input.scopes,
      models: input.models ?? null,
      quotaOverrides: input.quotaOverrides ?? null,
      monthlySpendCapMicros: micros(input.monthlySpendCap) ?? null,
      expiresAt: epoch(input.expiresAt) ?? null,
      revokedAt: null,
      createdAt: now,
    };
    await assertAgentKeyRules(db, row, true);
    if (input.accountId === undefined) {
      await db.batch([db.insert(tables.accounts).values({ id: accountId, name: input.name, createdAt: now }), db.insert(tables.apiKeys).values(row)]);
    } else {
      await db.insert(tables.apiKeys).values(row);
    }
    return c.json({ ...publicKeyView(row), key: plaintext }, 201);
  })
  .get('/', async (c) => c.json({ data: (await dbOf(c.env.DB).select().from(tables.apiKeys)).map(publicKeyView) }))
  .get('/:id', async (c) => c.json(publicKeyView(await findKeyRow(c, c.req.param('id')))))
  .patch('/:id', async (c) => {
    const id = c.req.param('id');
    const input = await parseAdminBody(c.req.raw, keyUpdateSchema);
    const current = await findKeyRow(c, id);
    const fields = updateFields(input);
    await assertAgentKeyRules(dbOf(c.env.DB), { ...current, ...fields }, current.kind !== 'agent');
    if (Object.keys(fields).length > 0) await dbOf(c.env.DB).update(tables.apiKeys).set(fields).where(eq(tables.apiKeys.id, id));
    await forgetKey(current);
    return c.json(publicKeyView(await findKeyRow(c, id)));
  })
  .delete('/:id', async (c) => {
    const id = c.req.param('id');
    const row = await findKeyRow(c, id);
    if (row.revokedAt === null) await dbOf(c.env.DB).update(tables.apiKeys).set({ revokedAt: Date.now() }).where(eq(tables.apiKeys.id, id));
    await forgetKey(row);
    return c.json(publicKeyView(await findKeyRow(c, id)));
  })
  .post('/:id/reset-quota', async (c) => {
    const id = c.req.param('id');
    await resetQuota(c.env, await findKeyRow(c, id));
    return c.json({ id, quotaReset: true });
  });
