import type { QuotaLimits } from '../auth/key-record';
import type { WindowView } from './windows';

/** The limit that refused a request. */
export type QuotaRefusalReason = '5h' | 'week' | 'minute' | 'concurrency';

export interface AdmitInput {
  /** The key's limits as of this request (from D1 via the key cache), so a plan change applies at once. */
  limits: QuotaLimits;
  /** Epoch ms from the calling request; the limiter never reads its own clock. */
  now: number;
  /** false for prepaid keys: they skip the 5-hour and weekly windows but keep burst and concurrency. */
  countsTowardQuota: boolean;
}

/** The limiter's decision on one request, with the window figures the rate-limit headers carry. */
export interface QuotaVerdict {
  allowed: boolean;
  reason?: QuotaRefusalReason;
  fiveHour: WindowView;
  week: WindowView;
  minute: WindowView;
  /** 0 when allowed; otherwise whole seconds until the refusing limit frees up. */
  retryAfterSeconds: number;
  /** Present when the key has a concurrency limit and the request was allowed. */
  leaseId?: string;
  /** Names this admission for refund(); refunding a refused or uncounted admission is a no-op. */
  admissionId: string;
  /** The `now` the decision was made at; relative reset headers count from it. */
  decidedAt: number;
}

export interface RefundInput {
  admissionId: string;
  /** The admission's lease, ended in the same round trip. */
  leaseId?: string;
  now: number;
}

export interface StatusInput {
  limits: QuotaLimits;
  now: number;
  countsTowardQuota: boolean;
}

/** The limiter's current figures for GET /v1/usage; reading them opens and counts nothing. */
export interface QuotaSnapshot {
  fiveHour: WindowView;
  week: WindowView;
  minute: WindowView;
  concurrency: { limit: number | null; active: number };
}
