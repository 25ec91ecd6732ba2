/**
 * Per-provider circuit breaker and rate-limit memory, kept in isolate memory.
 *
 * Closed → FAILURE_THRESHOLD consecutive upstream failures → open for COOL_DOWN_MS (the provider is
 * tried only as a last resort) → half-open: the next attempt is the probe (others keep treating the
 * provider as open while the probe holds its lease) → a success closes the breaker, a failure opens
 * it for another cool-down. A provider that answered 429 or sent `retry-after` is skipped until then.
 *
 * Why isolate memory and not shared state: every read here sits on the hot path of every request
 * (candidate ordering) and every write follows every attempt. A Durable Object or KV read would add a
 * round trip (DO) or an eventually consistent, write-limited store (KV: 1 write/s per key) to each
 * request. Isolate memory costs nothing, and losing sharing costs little: an isolate learns an outage
 * from its own first few failures, and those failures are not the client's (they fall back to the next
 * candidate before any byte went out). GET /health reports the view of the isolate that answers it.
 */
const FAILURE_THRESHOLD = 5;
const COOL_DOWN_MS = 30_000;
/** How long a half-open probe may run before another request may probe instead (it may have been abandoned). */
const PROBE_LEASE_MS = 60_000;
/** Back-off for a 429 that did not say how long to wait. */
const DEFAULT_RATE_LIMIT_MS = 1_000;

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface ProviderHealth {
  state: BreakerState;
  /** false while the breaker is open (or half-open with its probe in flight). */
  healthy: boolean;
  consecutiveFailures: number;
  openUntil?: number;
  rateLimitedUntil?: number;
}

interface Breaker {
  failures: number;
  openUntil: number;
  probeUntil: number;
  rateLimitedUntil: number;
}

const breakers = new Map<string, Breaker>();

const breakerOf = (providerId: string): Breaker => {
  let breaker = breakers.get(providerId);
  if (breaker === undefined) {
    breaker = { failures: 0, openUntil: 0, probeUntil: 0, rateLimitedUntil: 0 };
    breakers.set(providerId, breaker);
  }
  return breaker;
};

const stateOf = (breaker: Breaker | undefined, now: number): BreakerState => {
  if (breaker === undefined || breaker.failures < FAILURE_THRESHOLD) return 'closed';
  return now < breaker.openUntil ? 'open' : 'half_open';
};

export const providerHealth = (providerId: string, now: number): ProviderHealth => {
  const breaker = breakers.get(providerId);
  const state = stateOf(breaker, now);
  const probing = state === 'half_open' && breaker !== undefined && now < breaker.probeUntil;
  const health: ProviderHealth = { state, healthy: state === 'closed' || (state === 'half_open' && !probing), consecutiveFailures: breaker?.failures ?? 0 };
  if (state === 'open' && breaker !== undefined) health.openUntil = breaker.openUntil;
  if (breaker !== undefined && breaker.rateLimitedUntil > now) health.rateLimitedUntil = breaker.rateLimitedUntil;
  return health;
};

/** Whether candidate selection should try this provider in its normal place (not as a last resort). */
export const isProviderHealthy = (providerId: string, now: number): boolean => providerHealth(providerId, now).healthy;

/** Until when the provider asked not to be called (0 = it did not). */
export const providerRateLimitedUntil = (providerId: string, now: number): number => {
  const until = breakers.get(providerId)?.rateLimitedUntil ?? 0;
  return until > now ? until : 0;
};

/** Called right before an attempt: in half-open state this attempt becomes the probe. */
export const claimProviderAttempt = (providerId: string, now: number): void => {
  const breaker = breakers.get(providerId);
  if (stateOf(breaker, now) === 'half_open' && breaker !== undefined && now >= breaker.probeUntil) breaker.probeUntil = now + PROBE_LEASE_MS;
};

export const recordProviderSuccess = (providerId: string, now: number = Date.now()): void => {
  const breaker = breakers.get(providerId);
  if (breaker === undefined) return;
  if (breaker.rateLimitedUntil > now) {
    breaker.failures = 0;
    breaker.openUntil = 0;
    breaker.probeUntil = 0;
  } else {
    breakers.delete(providerId);
  }
};

export interface ProviderFailure {
  /** 429 and in-stream rate limits: the provider is busy, not broken (no breaker count). */
  rateLimited?: boolean;
  /** What the upstream said to wait (retry-after / retry-after-ms / RetryInfo). */
  retryAfterMs?: number;
}

export const recordProviderFailure = (providerId: string, now: number, failure: ProviderFailure = {}): void => {
  const breaker = breakerOf(providerId);
  const waitMs = failure.retryAfterMs ?? (failure.rateLimited === true ? DEFAULT_RATE_LIMIT_MS : 0);
  if (waitMs > 0) breaker.rateLimitedUntil = Math.max(breaker.rateLimitedUntil, now + waitMs);
  if (failure.rateLimited === true) return;
  breaker.failures += 1;
  breaker.probeUntil = 0;
  if (breaker.failures >= FAILURE_THRESHOLD) breaker.openUntil = now + COOL_DOWN_MS;
};

/** Test helper: forgets everything (each test file starts with closed breakers). */
export const resetProviderHealth = (): void => breakers.clear();

export const BREAKER_SETTINGS = { FAILURE_THRESHOLD, COOL_DOWN_MS, PROBE_LEASE_MS, DEFAULT_RATE_LIMIT_MS } as const;
