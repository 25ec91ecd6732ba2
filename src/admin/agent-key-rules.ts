import { eq } from 'drizzle-orm';
import type { KeyKind } from '../auth/key-record';
import { type Db, tables } from '../db/client';
import { RelayError } from '../errors';

/** The fields of a key, after a create or patch, that decide whether it may be an agent key. */
export interface AgentKeyCandidate {
  kind: KeyKind;
  planId: string;
  billing: 'subscription' | 'prepaid';
  monthlySpendCapMicros: number | null;
  quotaOverrides: Record<string, number | null> | null;
}

/**
 * An agent key draws from its account's one agent window, so nothing about it may be per key: no
 * spend cap, no quota overrides, and subscription billing only. Its plan must include the agent API
 * when it becomes an agent key; a later downgrade of the plan is allowed and stops the key at request
 * time (src/auth/key-kind.ts).
 */
export const assertAgentKeyRules = async (db: Db, key: AgentKeyCandidate, checkPlan: boolean): Promise<void> => {
  if (key.kind !== 'agent') return;
  if (key.monthlySpendCapMicros !== null) {
    throw new RelayError('invalid_request', 400, 'agent keys have no per-key spend cap: they draw from their account\'s shared agent window', { param: 'monthlySpendCap', code: 'agent_key_no_spend_cap' });
  }
  if (key.quotaOverrides !== null && Object.keys(key.quotaOverrides).length > 0) {
    throw new RelayError('invalid_request', 400, 'agent keys have no per-key quota overrides: every agent key of an account shares one 5-hour and weekly window', { param: 'quotaOverrides' });
  }
  if (key.billing !== 'subscription') {
    throw new RelayError('invalid_request', 400, 'agent keys are subscription access: billing must be "subscription"', { param: 'billing' });
  }
  if (!checkPlan) return;
  const [plan] = await db.select({ agentAccess: tables.plans.agentAccess }).from(tables.plans).where(eq(tables.plans.id, key.planId)).limit(1);
  if (plan?.agentAccess !== true) {
    throw new RelayError('permission', 403, `plan "${key.planId}" does not include the agent API; agent keys need a plan with agent access (pro, max5x or max20x)`, { param: 'plan', code: 'agent_plan_required' });
  }
};
