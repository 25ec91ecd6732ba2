import { eq } from 'drizzle-orm';
import type { AuthenticatedKey, QuotaLimits } from '../auth/key-record';
import { RelayError } from '../errors';
import { type Db, tables } from './client';

type KeyRow = typeof tables.apiKeys.$inferSelect;
type PlanRow = typeof tables.plans.$inferSelect;

const LIMIT_FIELDS = ['requestsPer5h', 'requestsPerWeek', 'requestsPerMinute', 'maxConcurrent', 'tokensPerMinute', 'tokensPerDay'] as const;

/** The plan's numbers with the key's overrides on top (an override of null means unlimited). */
const limitsOf = (plan: PlanRow, overrides: KeyRow['quotaOverrides']): QuotaLimits => {
  const limits: QuotaLimits = {
    requestsPer5h: plan.requestsPer5h,
    requestsPerWeek: plan.requestsPerWeek,
    requestsPerMinute: plan.requestsPerMinute,
    maxConcurrent: plan.maxConcurrent,
    tokensPerMinute: plan.tokensPerMinute,
    tokensPerDay: plan.tokensPerDay,
  };
  for (const field of LIMIT_FIELDS) {
    if (overrides && field in overrides) limits[field] = overrides[field] ?? null;
  }
  return limits;
};

/** Returns the key with its limits, or undefined when no key has this hash. Revocation is checked by the caller. */
export const findKeyByHash = async (
  db: Db,
  keyHash: string,
): Promise<{ key: AuthenticatedKey; revokedAt: number | null } | undefined> => {
  const rows = await db
    .select({ key: tables.apiKeys, plan: tables.plans })
    .from(tables.apiKeys)
    .leftJoin(tables.plans, eq(tables.plans.id, tables.apiKeys.planId))
    .where(eq(tables.apiKeys.keyHash, keyHash))
    .limit(1);
  const row = rows[0];
  if (row === undefined) return undefined;
  // A plan row that is gone must not read as "no limits": the key is refused until the operator fixes it.
  if (row.plan === null) throw new RelayError('permission', 403, `this API key's plan "${row.key.planId}" is not defined on this relay; ask its operator`, { code: 'unknown_plan' });
  return { key: toAuthenticatedKey(row.key, row.plan), revokedAt: row.key.revokedAt };
};

export const toAuthenticatedKey = (row: KeyRow, plan: PlanRow): AuthenticatedKey => ({
  id: row.id,
  accountId: row.accountId,
  name: row.name,
  kind: row.kind,
  planId: row.planId,
  planAgentAccess: plan.agentAccess,
  billing: row.billing,
  scopes: row.scopes,
  models: row.models ?? null,
  limits: limitsOf(plan, row.quotaOverrides),
  monthlySpendCapMicros: row.monthlySpendCapMicros,
  expiresAt: row.expiresAt,
});

/** The admin view of a key: everything but the hash. */
export const publicKeyView = (row: KeyRow) => ({
  id: row.id,
  name: row.name,
  accountId: row.accountId,
  kind: row.kind,
  prefix: row.displayPrefix,
  plan: row.planId,
  billing: row.billing,
  scopes: row.scopes,
  models: row.models ?? null,
  quotaOverrides: row.quotaOverrides ?? null,
  monthlySpendCap: row.monthlySpendCapMicros === null ? null : row.monthlySpendCapMicros / 1_000_000,
  expiresAt: row.expiresAt === null ? null : new Date(row.expiresAt).toISOString(),
  revokedAt: row.revokedAt === null ? null : new Date(row.revokedAt).toISOString(),
  createdAt: new Date(row.createdAt).toISOString(),
});
