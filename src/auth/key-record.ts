/** Request-quota limits in force for one key: its plan's numbers with the key's overrides applied. null = unlimited. */
export interface QuotaLimits {
  requestsPer5h: number | null;
  requestsPerWeek: number | null;
  requestsPerMinute: number | null;
  maxConcurrent: number | null;
}

/** What the hot path knows about the calling key after authentication (cached per isolate). */
export interface AuthenticatedKey {
  id: string;
  accountId: string;
  name: string;
  planId: string;
  billing: 'subscription' | 'prepaid';
  scopes: string[];
  /** Allowed public model names; null = every model. */
  models: string[] | null;
  limits: QuotaLimits;
  monthlySpendCapMicros: number | null;
  expiresAt: number | null;
}
