import type { AttemptFailure } from './attempt';
import { EncodingFailure } from './encoding-failure';

/**
 * When a failed attempt is tried again on the same provider before the next candidate, and after
 * how long. Only transient upstream trouble is retried in place: 408, 500, 502, 503, 504, 529, a
 * connection that failed or broke before the first byte, an in-stream server error before any content.
 *
 * Not retried in place: 4xx (the request is wrong, or the provider's key is), the relay's own first-byte
 * and idle timeouts (the attempt already cost a full timeout; the next candidate gets its own), and 429.
 * A 429 falls back at once: another provider is not rate-limited by this one, and when every
 * candidate says 429 the client's SDK retries on the upstream's `retry-after` itself, so a relay that
 * also waited would only double the wait while holding the client's request open.
 */
export const RETRY_BASE_MS = 200;
export const RETRY_CAP_MS = 2_000;
/** A longer `retry-after` on a retryable failure means "not soon": fall back now instead of waiting. */
export const MAX_HONOURED_RETRY_AFTER_MS = 3_000;

const TRANSIENT_UPSTREAM_STATUSES = new Set([408, 500, 502, 503, 504, 529]);

export const isTransientFailure = (failure: AttemptFailure): boolean => {
  if (failure instanceof EncodingFailure || !failure.retryable) return false;
  const { error } = failure;
  if (error.kind === 'rate_limit' || error.kind === 'insufficient_quota') return false;
  if (error.upstreamStatus !== undefined) return TRANSIENT_UPSTREAM_STATUSES.has(error.upstreamStatus);
  return error.kind === 'overloaded' || error.kind === 'api_error';
};

/** What the upstream asked to wait, in ms: `retry-after-ms`, else `retry-after` (seconds or an HTTP date). */
export const retryAfterMsFromHeaders = (headers: Headers, now: number = Date.now()): number | undefined => {
  const milliseconds = Number(headers.get('retry-after-ms')?.trim() || Number.NaN);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const header = headers.get('retry-after')?.trim();
  if (header === undefined || header === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
};

export interface RetryState {
  /** Same-provider retries already made for this candidate. */
  retriesDone: number;
  maxRetries: number;
  now: number;
  /** Epoch ms: a retry whose backoff would end later is not started. */
  deadline: number;
  random?: () => number;
}

/**
 * The wait before retrying the same provider, or undefined to move on: the upstream's own short
 * `retry-after` when it gave one, else exponential backoff with full jitter (a random wait up to
 * base × 2^n, capped), which keeps many relays that failed together from retrying together.
 */
export const sameProviderRetryDelay = (failure: AttemptFailure, state: RetryState): number | undefined => {
  if (state.retriesDone >= state.maxRetries || !isTransientFailure(failure)) return undefined;
  const asked = failure.retryAfterMs ?? (failure.error.retryAfterSeconds === undefined ? undefined : failure.error.retryAfterSeconds * 1000);
  if (asked !== undefined && asked > MAX_HONOURED_RETRY_AFTER_MS) return undefined;
  const random = state.random ?? Math.random;
  const delay = asked ?? Math.floor(random() * Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** state.retriesDone));
  return state.now + delay < state.deadline ? delay : undefined;
};

/** Waits `ms`, or less when the client goes away (the caller checks the signal after). */
export const backoff = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
