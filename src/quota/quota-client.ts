import { waitUntil } from 'cloudflare:workers';
import { quotaAlertsFor } from '../alerts/quota-alerts';
import { raiseAlertsLater } from '../alerts/raise-alerts';
import type { AuthenticatedKey, QuotaLimits } from '../auth/key-record';
import { configOf, type Env } from '../env';
import { RelayError } from '../errors';
import { admitFromBlock, blockAsked, blockOnItsWay, holdBlock, mayAskForBlock } from './block-holder';
import { formatResetInstant } from './headers';
import { limiterNameOf } from './limiter-name';
import type { QuotaLimiter } from './quota-limiter';
import type { QuotaSnapshot, QuotaVerdict, QuotaWindows, TokenCharge } from './verdict';
import { WINDOW_LENGTH_MS } from './windows';
import type { WindowName, WindowView } from './windows';
import type { IrUsage } from '../ir/usage';

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

const hasTokenLimits = (limits: QuotaLimits): boolean => limits.tokensPerMinute !== null || limits.tokensPerDay !== null;

/** Whether the limiter has anything to enforce for this key; when not, the hot path skips the Durable Object. */
const hasLimits = (key: AuthenticatedKey): boolean => {
  const limits = effectiveLimits(key);
  const windows = countsTowardQuota(key) && (limits.requestsPer5h !== null || limits.requestsPerWeek !== null);
  return windows || limits.requestsPerMinute !== null || limits.maxConcurrent !== null || hasTokenLimits(limits);
};

/**
 * What a finished request adds to its key's token windows: its input plus output tokens (input includes
 * cached tokens, output includes reasoning). Nothing for a key without token limits, so its limiter
 * writes nothing more than before.
 */
const tokenChargeOf = (key: AuthenticatedKey, usage: IrUsage | undefined, now: number): TokenCharge | undefined => {
  const limits = effectiveLimits(key);
  if (usage === undefined || !hasTokenLimits(limits)) return undefined;
  const tokens = usage.inputTokens + usage.outputTokens;
  return tokens > 0 ? { tokens, limits: { tokensPerMinute: limits.tokensPerMinute, tokensPerDay: limits.tokensPerDay }, now } : undefined;
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

const unlimitedWindows = (now: number): QuotaWindows => ({
  fiveHour: unlimitedWindow('5h', now),
  week: unlimitedWindow('week', now),
  minute: unlimitedWindow('minute', now),
  tokenMinute: unlimitedWindow('tokenMinute', now),
  tokenDay: unlimitedWindow('tokenDay', now),
});

const WINDOW_WORDING: Readonly<Record<WindowName, [keyof QuotaWindows, string]>> = {
  '5h': ['fiveHour', '5-hour request quota of {limit} requests exhausted'],
  week: ['week', 'weekly request quota of {limit} requests exhausted'],
  minute: ['minute', 'per-minute limit of {limit} requests reached'],
  tokenMinute: ['tokenMinute', 'per-minute limit of {limit} tokens reached'],
  tokenDay: ['tokenDay', 'daily limit of {limit} tokens reached'],
};

const refusalMessage = (verdict: QuotaVerdict, key: AuthenticatedKey): string => {
  if (verdict.reason === undefined || verdict.reason === 'concurrency') {
    const wait = `retry in ${verdict.retryAfterSeconds}s, when an in-flight request has finished`;
    return `limit of ${effectiveLimits(key).maxConcurrent} concurrent requests reached; ${wait}`;
  }
  const [viewKey, wording] = WINDOW_WORDING[verdict.reason];
  const view = verdict[viewKey];
  return `${wording.replace('{limit}', String(view.limit))}; it resets at ${formatResetInstant(view.reset)}`;
};

/**
 * Admits one request for `key` in a single limiter round trip, or throws a QuotaExceededError (429)
 * naming the window that ran out and when it resets. The admission's verdict feeds rateLimitHeaders().
 */
export const admitRequest = async (env: Env, key: AuthenticatedKey, now: number): Promise<QuotaAdmission> => {
  if (!hasLimits(key)) {
    const verdict: QuotaVerdict = {
      allowed: true,
      ...unlimitedWindows(now),
      retryAfterSeconds: 0,
      admissionId: crypto.randomUUID(),
      decidedAt: now,
    };
    return { verdict, tracked: false };
  }
  const name = limiterNameOf(key);
  const limits = effectiveLimits(key);
  const limitsKey = JSON.stringify([limits, countsTowardQuota(key)]);
  let local = admitFromBlock(name, limitsKey, now);
  const coming = local === undefined ? blockOnItsWay(name) : undefined;
  if (coming !== undefined) {
    await coming;
    local = admitFromBlock(name, limitsKey, now);
  }
  if (local !== undefined) {
    raiseAlertsLater(waitUntil, env, quotaAlertsFor(key, local, now));
    return { verdict: local, tracked: true };
  }
  const limiter = limiterFor(env, name);
  const blockAbovePerSecond = configOf(env).quotaBlockAbove;
  const ask = blockAbovePerSecond > 0 && limits.maxConcurrent === null && mayAskForBlock(name);
  let verdict: QuotaVerdict;
  try {
    verdict = await limiter.admit({ limits, now, countsTowardQuota: countsTowardQuota(key), ...(ask ? { blockAbovePerSecond } : {}) });
  } finally {
    if (ask) blockAsked(name);
  }
  if (!verdict.allowed) throw new QuotaExceededError(verdict, refusalMessage(verdict, key));
  if (verdict.block !== undefined) {
    waitUntil(holdBlock(name, limitsKey, verdict, (block, unused) => limiter.returnBlock({ blockId: block.id, unused, now: Date.now() })).catch(() => {}));
  }
  raiseAlertsLater(waitUntil, env, quotaAlertsFor(key, verdict, now));
  return { verdict, tracked: true };
};

/**
 * Gives the request back when the relay failed before any upstream answered successfully; also ends its
 * concurrency lease. Tokens an upstream spent before failing (`usage`) still count toward the key's token
 * limits. Idempotent: true only the first time a counted admission is refunded.
 */
export const refundRequest = async (
  env: Env,
  key: AuthenticatedKey,
  admission: QuotaAdmission,
  now: number,
  usage?: IrUsage,
): Promise<boolean> => {
  const { verdict } = admission;
  if (!admission.tracked || !verdict.allowed) return false;
  const charge = tokenChargeOf(key, usage, now);
  return limiterFor(env, limiterNameOf(key)).refund({ admissionId: verdict.admissionId, leaseId: verdict.leaseId, now, ...(charge === undefined ? {} : { charge }) });
};

/**
 * Settles the admission when the response or stream is over: ends its concurrency lease and adds the
 * request's tokens (`usage`) to the key's token windows. Releasing twice is harmless, but the tokens are
 * added each time, so callers pass them once. No limiter call when there is nothing to do.
 */
export const releaseRequest = async (env: Env, key: AuthenticatedKey, admission: QuotaAdmission, usage?: IrUsage): Promise<void> => {
  const { leaseId } = admission.verdict;
  if (!admission.tracked || !admission.verdict.allowed) return;
  const charge = tokenChargeOf(key, usage, Date.now());
  if (leaseId === undefined && charge === undefined) return;
  await limiterFor(env, limiterNameOf(key)).release({ ...(leaseId === undefined ? {} : { leaseId }), ...(charge === undefined ? {} : { charge }) });
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
    return { mode, ...unlimitedWindows(now), concurrency: { limit: maxConcurrent, active: 0 } };
  }
  const limiter = limiterFor(env, limiterNameOf(key));
  const snapshot = await limiter.status({ limits: effectiveLimits(key), now, countsTowardQuota: countsTowardQuota(key) });
  return { mode, ...snapshot };
};

/** Admin: clears the key's windows (an agent key's: its account's shared ones) so its next request opens fresh ones. */
export const resetQuota = async (env: Env, key: Pick<AuthenticatedKey, 'id' | 'kind' | 'accountId'>): Promise<void> => {
  await limiterFor(env, limiterNameOf(key)).reset();
};
