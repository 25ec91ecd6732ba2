/**
 * Per-provider circuit breaker, and rate-limit memory per provider and upstream model, kept in
 * isolate memory.
 *
 * Closed → FAILURE_THRESHOLD consecutive upstream failures → open for COOL_DOWN_MS (the provider is
 * tried only as a last resort) → half-open: the next attempt is the probe (others keep treating the
 * provider as open while the probe holds its lease) → a success closes the breaker, a failure opens
 * it for another cool-down. A 429 is not a failure: the provider works, it is busy.
 *
 * Rate-limit memory only reorders candidates (see resolve-model.ts): a 429, or a `retry-after` on any
 * failure, makes that provider's route for that upstream model a later choice until then. It never
 * refuses a request: one caller's 429 (a per-organisation or per-model limit, or a burst) says little
 * about the next caller's chances, and only the upstream can say no for this request.
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
/** How long a 429 that did not say how long to wait keeps its route a later choice. */
const DEFAULT_RATE_LIMIT_MS = 1_000;
/** Entries kept before expired ones are swept (catalogs have hundreds of models per provider). */
const RATE_LIMIT_SWEEP_AT = 2_000;

type BreakerState = 'closed' | 'open' | 'half_open';

export interface ProviderHealth {
  state: BreakerState;
  /** false while the breaker is open (or half-open with its probe in flight). */
  healthy: boolean;
  consecutiveFailures: number;
  openUntil?: number;
  /** The latest time until which one of the provider's models asked to wait (informational: it only reorders). */
  rateLimitedUntil?: number;
}

interface Breaker {
  failures: number;
  openUntil: number;
  probeUntil: number;
}

const breakers = new Map<string, Breaker>();
/** `${providerId}\u0000${upstreamModel}` → until when that route said to wait. */
const rateLimits = new Map<string, number>();

const routeKey = (providerId: string, upstreamModel: string): string => `${providerId}\u0000${upstreamModel}`;

const stateOf = (breaker: Breaker | undefined, now: number): BreakerState => {
  if (breaker === undefined || breaker.failures < FAILURE_THRESHOLD) return 'closed';
  return now < breaker.openUntil ? 'open' : 'half_open';
};

const latestRateLimit = (providerId: string, now: number): number => {
  const prefix = routeKey(providerId, '');
  let latest = 0;
  for (const [key, until] of rateLimits) if (until > now && until > latest && key.startsWith(prefix)) latest = until;
  return latest;
};

/** The breaker's view of a provider (GET /health); `rateLimitedUntil` scans the provider's routes, so keep it off the hot path. */
export const providerHealth = (providerId: string, now: number): ProviderHealth => {
  const breaker = breakers.get(providerId);
  const state = stateOf(breaker, now);
  const probing = state === 'half_open' && breaker !== undefined && now < breaker.probeUntil;
  const health: ProviderHealth = { state, healthy: state === 'closed' || (state === 'half_open' && !probing), consecutiveFailures: breaker?.failures ?? 0 };
  if (state === 'open' && breaker !== undefined) health.openUntil = breaker.openUntil;
  const limited = latestRateLimit(providerId, now);
  if (limited > 0) health.rateLimitedUntil = limited;
  return health;
};

/** Whether candidate selection should try this provider in its normal place (not as a last resort). */
export const isProviderHealthy = (providerId: string, now: number): boolean => {
  const breaker = breakers.get(providerId);
  if (breaker === undefined) return true;
  const state = stateOf(breaker, now);
  return state === 'closed' || (state === 'half_open' && now >= breaker.probeUntil);
};

/** Until when this provider's route for `upstreamModel` asked to wait (0 = it did not). */
export const routeRateLimitedUntil = (providerId: string, upstreamModel: string, now: number): number => {
  if (rateLimits.size === 0) return 0;
  const until = rateLimits.get(routeKey(providerId, upstreamModel)) ?? 0;
  return until > now ? until : 0;
};

/** Called right before an attempt: in half-open state this attempt becomes the probe. */
export const claimProviderAttempt = (providerId: string, now: number): void => {
  const breaker = breakers.get(providerId);
  if (stateOf(breaker, now) === 'half_open' && breaker !== undefined && now >= breaker.probeUntil) breaker.probeUntil = now + PROBE_LEASE_MS;
};

/** The provider answered: its breaker closes, and the route that answered is no longer rate-limited. */
export const recordProviderSuccess = (providerId: string, _now: number = Date.now(), upstreamModel?: string): void => {
  breakers.delete(providerId);
  if (upstreamModel !== undefined && rateLimits.size > 0) rateLimits.delete(routeKey(providerId, upstreamModel));
};

export interface ProviderFailure {
  /** 429 and in-stream rate limits: the provider is busy, not broken (no breaker count). */
  rateLimited?: boolean;
  /** What the upstream said to wait (retry-after / retry-after-ms / RetryInfo). */
  retryAfterMs?: number;
  /** The upstream model the failed request asked for; rate limits are remembered per provider and model. */
  upstreamModel?: string;
}

const rememberRateLimit = (providerId: string, upstreamModel: string, until: number, now: number): void => {
  if (rateLimits.size >= RATE_LIMIT_SWEEP_AT) for (const [key, at] of rateLimits) if (at <= now) rateLimits.delete(key);
  const key = routeKey(providerId, upstreamModel);
  rateLimits.set(key, Math.max(rateLimits.get(key) ?? 0, until));
};

export const recordProviderFailure = (providerId: string, now: number, failure: ProviderFailure = {}): void => {
  const waitMs = failure.retryAfterMs ?? (failure.rateLimited === true ? DEFAULT_RATE_LIMIT_MS : 0);
  if (waitMs > 0) rememberRateLimit(providerId, failure.upstreamModel ?? '', now + waitMs, now);
  if (failure.rateLimited === true) return;
  let breaker = breakers.get(providerId);
  if (breaker === undefined) {
    breaker = { failures: 0, openUntil: 0, probeUntil: 0 };
    breakers.set(providerId, breaker);
  }
  breaker.failures += 1;
  breaker.probeUntil = 0;
  if (breaker.failures >= FAILURE_THRESHOLD) breaker.openUntil = now + COOL_DOWN_MS;
};

/** Test helper: forgets everything (each test file starts with closed breakers). */
export const resetProviderHealth = (): void => {
  breakers.clear();
  rateLimits.clear();
};

export const BREAKER_SETTINGS = { FAILURE_THRESHOLD, COOL_DOWN_MS, PROBE_LEASE_MS, DEFAULT_RATE_LIMIT_MS } as const;
