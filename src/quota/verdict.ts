import type { AdmissionBlock } from './admission-block';
import type { QuotaLimits } from '../auth/key-record';
import type { WindowView } from './windows';

/** The limit that refused a request. */
export type QuotaRefusalReason = '5h' | 'week' | 'minute' | 'tokenMinute' | 'tokenDay' | 'concurrency';

export interface AdmitInput {
  /** The key's limits as of this request (from D1 via the key cache), so a plan change applies at once. */
  limits: QuotaLimits;
  /** Epoch ms from the calling request; the limiter never reads its own clock. */
  now: number;
  /** false for prepaid keys: they skip the 5-hour and weekly windows but keep burst, token limits and concurrency. */
  countsTowardQuota: boolean;
  /** Admissions a second above which the key gets admission blocks (admission-block.ts); absent or 0: never. */
  blockAbovePerSecond?: number;
}

/** The window figures every verdict and snapshot carries; token windows count input plus output tokens. */
export interface QuotaWindows {
  fiveHour: WindowView;
  week: WindowView;
  minute: WindowView;
  tokenMinute: WindowView;
  tokenDay: WindowView;
}

/** The limiter's decision on one request, with the window figures the rate-limit headers carry. */
export interface QuotaVerdict extends QuotaWindows {
  allowed: boolean;
  reason?: QuotaRefusalReason;
  /** 0 when allowed; otherwise whole seconds until the refusing limit frees up. */
  retryAfterSeconds: number;
  /** Present when the key has a concurrency limit and the request was allowed. */
  leaseId?: string;
  /** Names this admission for refund(); refunding a refused or uncounted admission is a no-op. */
  admissionId: string;
  /** The `now` the decision was made at; relative reset headers count from it. */
  decidedAt: number;
  /** Further admissions already counted, for the isolate that asked to admit by itself (admission-block.ts). */
  block?: AdmissionBlock;
}

/** A finished request's tokens, added to the key's token windows that have a limit. */
export interface TokenCharge {
  tokens: number;
  limits: Pick<QuotaLimits, 'tokensPerMinute' | 'tokensPerDay'>;
  now: number;
}

export interface RefundInput {
  admissionId: string;
  /** The admission's lease, ended in the same round trip. */
  leaseId?: string;
  now: number;
  /** Tokens the upstream spent before it failed: the request is given back, its tokens still count. */
  charge?: TokenCharge;
}

export interface ReturnBlockInput {
  blockId: string;
  /** Admissions of the block the isolate did not use. */
  unused: number;
  now: number;
}

export interface ReleaseInput {
  /** The admission's concurrency lease, if it had one. */
  leaseId?: string;
  charge?: TokenCharge;
}

export interface StatusInput {
  limits: QuotaLimits;
  now: number;
  countsTowardQuota: boolean;
}

/** The limiter's current figures for GET /v1/usage; reading them opens and counts nothing. */
export interface QuotaSnapshot extends QuotaWindows {
  concurrency: { limit: number | null; active: number };
}
