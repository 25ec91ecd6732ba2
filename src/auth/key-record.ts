/** Quota limits in force for one key: its plan's numbers with the key's overrides applied. null = unlimited. */
export interface QuotaLimits {
  requestsPer5h: number | null;
  requestsPerWeek: number | null;
  requestsPerMinute: number | null;
  maxConcurrent: number | null;
  /** Input plus output tokens per minute, counted when each request's usage is known. */
  tokensPerMinute: number | null;
  /** Input plus output tokens per day (a session window of 24 hours, like the others). */
  tokensPerDay: number | null;
}

/** `inference`: the /v1 surfaces. `agent`: only the agent API (/api/v1/agents), on its account's shared window. */
export const KEY_KINDS = ['inference', 'agent'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

/** What the hot path knows about the calling key after authentication (cached per isolate). */
export interface AuthenticatedKey {
  id: string;
  accountId: string;
  name: string;
  kind: KeyKind;
  planId: string;
  /** Whether the key's plan includes the agent API (plans.agent_access). */
  planAgentAccess: boolean;
  billing: 'subscription' | 'prepaid';
  scopes: string[];
  /** Allowed public model names; null = every model. */
  models: string[] | null;
  limits: QuotaLimits;
  monthlySpendCapMicros: number | null;
  expiresAt: number | null;
}
