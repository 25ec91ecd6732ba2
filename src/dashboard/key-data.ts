import { desc, eq } from 'drizzle-orm';
import { dbOf, tables } from '../db/client';
import { publicKeyView, toAuthenticatedKey } from '../db/keys';
import type { Env } from '../env';
import { quotaStatus, type QuotaStatus } from '../quota/quota-client';

export type KeyView = ReturnType<typeof publicKeyView>;

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
export const KEY_LIST_LIMIT = 200;

/** Keys newest first, each with its live quota figures (the same the key sees in GET /v1/usage). */
export const listKeysWithQuota = async (env: Env, now: number): Promise<KeyWithQuota[]> => {
  const rows = await keyRows(env).orderBy(desc(tables.apiKeys.createdAt)).limit(KEY_LIST_LIMIT);
  return Promise.all(rows.map((row) => withQuota(env, row, now)));
};

export const findKeyWithQuota = async (env: Env, id: string, now: number): Promise<KeyWithQuota | null> => {
  const [row] = await keyRows(env).where(eq(tables.apiKeys.id, id)).limit(1);
  return row === undefined ? null : withQuota(env, row, now);
};

export const planIds = async (env: Env): Promise<string[]> =>
  (await dbOf(env.DB).select({ id: tables.plans.id }).from(tables.plans)).map((plan) => plan.id);
