import { waitUntil } from 'cloudflare:workers';
import { quotaAlertsFor } from '../alerts/quota-alerts';
import { raiseAlertsLater } from '../alerts/raise-alerts';
import type { AuthenticatedKey, QuotaLimits } from '../auth/key-record';
import type { Env } from '../env';
import { RelayError } from '../errors';
import { formatResetInstant } from './headers';
import { limiterNameOf } from './limiter-name';
import type { QuotaLimiter } from './quota-limiter';
import type { QuotaSnapshot, QuotaVerdict } from './verdict';
import { WINDOW_LENGTH_MS } from './windows';
import type { WindowName, WindowView } from './windows';

/** What the pipeline keeps between admission and the end of the response. */
export interface QuotaAdmission {
  verdict: QuotaVerdict;
  /** false when the key had nothing to enforce and the limiter was never asked; refund and release are no-ops then. */
  tracked: boolean;
}

/** `unlimited`: a subscription key whose plan sets neither request window. */
export type QuotaMode = 'subscription' | 'prepaid' | 'unlimited';

export interface QuotaStatus extends QuotaSnapshot {
  mode: QuotaMode;
}

/** The 429 for a refused request; it carries the verdict so the error response can send rate-limit headers too. */
export class QuotaExceededError extends RelayError {
  constructor(
    readonly verdict: QuotaVerdict,
    message: string,
  ) {
    super('rate_limit', 429, message, { retryAfterSeconds: verdict.retryAfterSeconds, code: 'rate_limit_exceeded' });
  }
}

const countsTowardQuota = (key: AuthenticatedKey): boolean => key.billing === 'subscription';

/**
 * Concurrent requests a prepaid key may have in flight when neither its plan nor the key sets a
 * limit. Each in-flight request may cost more than the money reserved for it, so the count of
 * requests in flight is what bounds how far below zero a balance can go.
 */
export const PREPAID_DEFAULT_MAX_CONCURRENT = 8;

/** The limits the limiter enforces: the key's own, with the prepaid concurrency default filled in. */
export const effectiveLimits = (key: AuthenticatedKey): QuotaLimits =>
  key.billing === 'prepaid' && key.limits.maxConcurrent === null ? { ...key.limits, maxConcurrent: PREPAID_DEFAULT_MAX_CONCURRENT } : key.limits;

/** Whether the limiter has anything to enforce for this key; when not, the hot path skips the Durable Object. */
const hasLimits = (key: AuthenticatedKey): boolean => {
  const { requestsPer5h, requestsPerWeek, requestsPerMinute, maxConcurrent } = effectiveLimits(key);
  const windows = countsTowardQuota(key) && (requestsPer5h !== null || requestsPerWeek !== null);
  return windows || requestsPerMinute !== null || maxConcurrent !== null;
};

const limiterFor = (env: Env, name: string): DurableObjectStub<QuotaLimiter> =>
  env.QUOTA.get(env.QUOTA.idFromName(name));

const unlimitedWindow = (name: WindowName, now: number): WindowView => ({
  limit: null,
  used: 0,
  remaining: null,
  reset: now + WINDOW_LENGTH_MS[name],
  open: false,
});

const WINDOW_WORDING: Readonly<Record<WindowName, string>> = {
  '5h': '5-hour request quota of {limit} requests exhausted',
  week: 'weekly request quota of {limit} requests exhausted',
  minute: 'per-minute limit of {limit} requests reached',
};

const refusalMessage = (verdict: QuotaVerdict, key: AuthenticatedKey): string => {
  const window: WindowName | null =
    verdict.reason === '5h' || verdict.reason === 'week' || verdict.reason === 'minute' ? verdict.reason : null;
  if (window === null) {
    const wait = `retry in ${verdict.retryAfterSeconds}s, when an in-flight request has finished`;
    return `limit of ${effectiveLimits(key).maxConcurrent} concurrent requests reached; ${wait}`;
  }
  const view = window === '5h' ? verdict.fiveHour : verdict[window];
  const exhausted = WINDOW_WORDING[window].replace('{limit}', String(view.limit));
  return `${exhausted}; it resets at ${formatResetInstant(view.reset)}`;
};

/**
 * Admits one request for `key` in a single limiter round trip, or throws a QuotaExceededError (429)
 * naming the window that ran out and when it resets. The admission's verdict feeds rateLimitHeaders().
 */
export const admitRequest = async (env: Env, key: AuthenticatedKey, now: number): Promise<QuotaAdmission> => {
  if (!hasLimits(key)) {
    const verdict: QuotaVerdict = {
      allowed: true,
      fiveHour: unlimitedWindow('5h', now),
      week: unlimitedWindow('week', now),
      minute: unlimitedWindow('minute', now),
      retryAfterSeconds: 0,
      admissionId: crypto.randomUUID(),
      decidedAt: now,
    };
    return { verdict, tracked: false };
  }
  const limiter = limiterFor(env, limiterNameOf(key));
  const verdict = await limiter.admit({ limits: effectiveLimits(key), now, countsTowardQuota: countsTowardQuota(key) });
  if (!verdict.allowed) throw new QuotaExceededError(verdict, refusalMessage(verdict, key));
  raiseAlertsLater(waitUntil, env, quotaAlertsFor(key, verdict, now));
  return { verdict, tracked: true };
};

/**
 * Gives the request back when the relay failed before any upstream answered successfully; also ends its
 * concurrency lease. Idempotent: true only the first time a counted admission is refunded.
 */
export const refundRequest = async (
  env: Env,
  key: AuthenticatedKey,
  admission: QuotaAdmission,
  now: number,
): Promise<boolean> => {
  const { verdict } = admission;
  if (!admission.tracked || !verdict.allowed) return false;
  return limiterFor(env, limiterNameOf(key)).refund({ admissionId: verdict.admissionId, leaseId: verdict.leaseId, now });
};

/** Ends the admission's concurrency lease when the response or stream is over. Idempotent. */
export const releaseRequest = async (env: Env, key: AuthenticatedKey, admission: QuotaAdmission): Promise<void> => {
  const { leaseId } = admission.verdict;
  if (!admission.tracked || leaseId === undefined) return;
  await limiterFor(env, limiterNameOf(key)).release({ leaseId });
};

/**
 * An image task's concurrency lease, kept on the task from submit until it ends: the lease is
 * released by whichever path ends the task (consumer, cancel, failure, sweep). Admission itself is
 * admitRequest, one request per task.
 */
export interface TaskLease {
  keyId: string;
  leaseId: string | null;
  admissionId: string | null;
}

export const taskLeaseOf = (key: AuthenticatedKey, admission: QuotaAdmission): TaskLease => ({
  keyId: key.id,
  leaseId: admission.tracked ? (admission.verdict.leaseId ?? null) : null,
  admissionId: admission.tracked ? admission.verdict.admissionId : null,
});

/** Ends a task's lease (idempotent); a task without one makes no limiter call. */
export const releaseTaskLease = async (env: Env, lease: TaskLease): Promise<void> => {
  if (lease.leaseId === null) return;
  await limiterFor(env, lease.keyId).release({ leaseId: lease.leaseId });
};

/** Quota mode, limits, remaining and reset times for GET /v1/usage. Opens and counts nothing. */
export const quotaStatus = async (env: Env, key: AuthenticatedKey, now: number): Promise<QuotaStatus> => {
  const { requestsPer5h, requestsPerWeek, maxConcurrent } = effectiveLimits(key);
  const mode: QuotaMode = !countsTowardQuota(key)
    ? 'prepaid'
    : requestsPer5h === null && requestsPerWeek === null
      ? 'unlimited'
      : 'subscription';
  if (!hasLimits(key)) {
    return {
      mode,
      fiveHour: unlimitedWindow('5h', now),
      week: unlimitedWindow('week', now),
      minute: unlimitedWindow('minute', now),
      concurrency: { limit: maxConcurrent, active: 0 },
    };
  }
  const limiter = limiterFor(env, limiterNameOf(key));
  const snapshot = await limiter.status({ limits: effectiveLimits(key), now, countsTowardQuota: countsTowardQuota(key) });
  return { mode, ...snapshot };
};

/** Admin: clears the key's windows (an agent key's: its account's shared ones) so its next request opens fresh ones. */
export const resetQuota = async (env: Env, key: Pick<AuthenticatedKey, 'id' | 'kind' | 'accountId'>): Promise<void> => {
  await limiterFor(env, limiterNameOf(key)).reset();
};
