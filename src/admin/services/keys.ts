import { desc, eq } from 'drizzle-orm';
import { forgetKey } from '../../auth/key-cache';
import { displayPrefixOf, generateApiKey, hashApiKey } from '../../auth/key-hash';
import { dbOf, tables } from '../../db/client';
import { publicKeyView, toAuthenticatedKey } from '../../db/keys';
import { configOf, type Env } from '../../env';
import { RelayError } from '../../errors';
import { randomId } from '../../protocols/shared/ids';
import { quotaStatus, resetQuota, type QuotaStatus } from '../../quota/quota-client';
import { assertAgentKeyRules } from '../agent-key-rules';
import type { KeyCreate, KeyUpdate } from '../key-schema';

export type KeyView = ReturnType<typeof publicKeyView>;

/** A new key with its plaintext, which exists only in this answer: only its hash is stored. */
export type CreatedKey = KeyView & { key: string };

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

const findKeyRow = async (env: Env, id: string) => {
  const [row] = await dbOf(env.DB).select().from(tables.apiKeys).where(eq(tables.apiKeys.id, id)).limit(1);
  if (row === undefined) throw new RelayError('not_found', 404, `key "${id}" not found`);
  return row;
};

/**
 * Creates a key, and its own account unless `accountId` names an existing one. An agent key's
 * plaintext starts with KEY_PREFIX + "agent-", so a person holding one can tell what it is for.
 */
export const createKey = async (env: Env, input: KeyCreate): Promise<CreatedKey> => {
  const db = dbOf(env.DB);
  const now = Date.now();
  const { keyPrefix } = configOf(env);
  const plaintext = generateApiKey(input.kind === 'agent' ? `${keyPrefix}agent-` : keyPrefix);
  const accountId = input.accountId ?? `acct_${randomId(20)}`;
  if (input.accountId !== undefined) {
    const [account] = await db.select().from(tables.accounts).where(eq(tables.accounts.id, accountId)).limit(1);
    if (account === undefined) throw new RelayError('invalid_request', 400, `account "${accountId}" not found`, { param: 'accountId' });
  }
  const row = {
    id: `key_${randomId(20)}`,
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
  return { ...publicKeyView(row), key: plaintext };
};

export const listKeys = async (env: Env): Promise<KeyView[]> => (await dbOf(env.DB).select().from(tables.apiKeys)).map(publicKeyView);

export const getKey = async (env: Env, id: string): Promise<KeyView> => publicKeyView(await findKeyRow(env, id));

/** Changes a key; every isolate's cached copy is dropped so the next request sees the change. */
export const updateKey = async (env: Env, id: string, input: KeyUpdate): Promise<KeyView> => {
  const current = await findKeyRow(env, id);
  const fields = updateFields(input);
  await assertAgentKeyRules(dbOf(env.DB), { ...current, ...fields }, current.kind !== 'agent');
  if (Object.keys(fields).length > 0) await dbOf(env.DB).update(tables.apiKeys).set(fields).where(eq(tables.apiKeys.id, id));
  await forgetKey(current);
  return getKey(env, id);
};

/** Revokes a key (once: a second revoke keeps the first time). */
export const revokeKey = async (env: Env, id: string): Promise<KeyView> => {
  const row = await findKeyRow(env, id);
  if (row.revokedAt === null) await dbOf(env.DB).update(tables.apiKeys).set({ revokedAt: Date.now() }).where(eq(tables.apiKeys.id, id));
  await forgetKey(row);
  return getKey(env, id);
};

export const resetKeyQuota = async (env: Env, id: string): Promise<{ id: string; quotaReset: true }> => {
  await resetQuota(env, await findKeyRow(env, id));
  return { id, quotaReset: true };
};

export interface KeyWithQuota {
  key: KeyView;
  /** null for revoked keys: their limiter is never asked. */
  quota: QuotaStatus | null;
}

const keyRows = (env: Env) =>
  dbOf(env.DB)
    .select({ key: tables.apiKeys, plan: tables.plans })
    .from(tables.apiKeys)
    .leftJoin(tables.plans, eq(tables.plans.id, tables.apiKeys.planId));

type KeyRow = Awaited<ReturnType<typeof keyRows>>[number];

const withQuota = async (env: Env, row: KeyRow, now: number): Promise<KeyWithQuota> => ({
  key: publicKeyView(row.key),
  quota: row.key.revokedAt === null && row.plan !== null ? await quotaStatus(env, toAuthenticatedKey(row.key, row.plan), now) : null,
});

/** The most keys one list page reads the quota of (one Durable Object call each, in parallel). */
const KEY_LIST_LIMIT = 200;

/** Keys newest first, each with its live quota figures (the same the key sees in GET /v1/usage). */
export const listKeysWithQuota = async (env: Env, now: number): Promise<KeyWithQuota[]> => {
  const rows = await keyRows(env).orderBy(desc(tables.apiKeys.createdAt)).limit(KEY_LIST_LIMIT);
  return Promise.all(rows.map((row) => withQuota(env, row, now)));
};

export const findKeyWithQuota = async (env: Env, id: string, now: number): Promise<KeyWithQuota | null> => {
  const [row] = await keyRows(env).where(eq(tables.apiKeys.id, id)).limit(1);
  return row === undefined ? null : withQuota(env, row, now);
};
