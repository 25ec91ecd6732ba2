import { describe, expect, it } from 'vitest';
import { RelayError } from '../../src/errors';
import { AttemptFailure } from '../../src/relay/attempt';
import { EncodingFailure } from '../../src/relay/encoding-failure';
import {
  backoff,
  isTransientFailure,
  MAX_HONOURED_RETRY_AFTER_MS,
  RETRY_BASE_MS,
  RETRY_CAP_MS,
  retryAfterMsFromHeaders,
  sameProviderRetryDelay,
} from '../../src/relay/retry-policy';

const upstream = (status: number, retryAfterMs?: number): AttemptFailure =>
  new AttemptFailure(new RelayError(status === 429 ? 'rate_limit' : status >= 500 ? 'api_error' : 'invalid_request', status, `HTTP ${status}`, { upstreamStatus: status }), true, undefined, retryAfterMs);

const state = (retriesDone: number, random = () => 1) => ({ retriesDone, maxRetries: 2, now: 0, deadline: 60_000, random });

describe('which failures are retried on the same provider', () => {
  it.each([408, 500, 502, 503, 504, 529])('upstream %i: yes', (status) => {
    expect(isTransientFailure(upstream(status))).toBe(true);
  });

  it.each([400, 401, 403, 404, 413, 422, 429])('upstream %i: no', (status) => {
    expect(isTransientFailure(upstream(status))).toBe(false);
  });

  it('an in-stream overloaded error before content: yes; the relay\'s own timeout, an encoding failure, a client that left: no', () => {
    expect(isTransientFailure(new AttemptFailure(new RelayError('overloaded', 503, 'overloaded'), true))).toBe(true);
    expect(isTransientFailure(new AttemptFailure(new RelayError('timeout', 504, 'no response within 300 ms'), true))).toBe(false);
    expect(isTransientFailure(new EncodingFailure(new RelayError('api_error', 500, 'could not encode'), true))).toBe(false);
    expect(isTransientFailure(new AttemptFailure(new RelayError('api_error', 499, 'client closed the request'), false))).toBe(false);
  });
});

describe('backoff', () => {
  it('is full jitter under base x 2^n, capped', () => {
    expect(sameProviderRetryDelay(upstream(503), state(0, () => 0.5))).toBe(RETRY_BASE_MS / 2);
    expect(sameProviderRetryDelay(upstream(503), state(1, () => 0.999))).toBeLessThan(RETRY_BASE_MS * 2);
    expect(sameProviderRetryDelay(upstream(503), { ...state(0, () => 0.999), retriesDone: 9, maxRetries: 10 })).toBeLessThan(RETRY_CAP_MS);
    expect(sameProviderRetryDelay(upstream(503), state(0, () => 0))).toBe(0);
  });

  it('stops at maxRetries', () => {
    expect(sameProviderRetryDelay(upstream(503), state(2))).toBeUndefined();
    expect(sameProviderRetryDelay(upstream(503), { ...state(0), maxRetries: 0 })).toBeUndefined();
  });

  it('honours a short retry-after exactly and falls back at once on a long one', () => {
    expect(sameProviderRetryDelay(upstream(503, 1_500), state(0))).toBe(1_500);
    expect(sameProviderRetryDelay(upstream(503, MAX_HONOURED_RETRY_AFTER_MS + 1), state(0))).toBeUndefined();
    const inSeconds = new AttemptFailure(new RelayError('overloaded', 503, 'busy', { upstreamStatus: 503, retryAfterSeconds: 30 }), true);
    expect(sameProviderRetryDelay(inSeconds, state(0))).toBeUndefined();
  });

  it('never waits past the request deadline', () => {
    expect(sameProviderRetryDelay(upstream(503, 1_000), { ...state(0), now: 59_500 })).toBeUndefined();
    expect(sameProviderRetryDelay(upstream(503, 1_000), { ...state(0), now: 58_000 })).toBe(1_000);
  });

  it('a wait ends early when the client goes away', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    await backoff(5_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('retry-after headers', () => {
  it('reads retry-after-ms first, then seconds, then an HTTP date', () => {
    expect(retryAfterMsFromHeaders(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(retryAfterMsFromHeaders(new Headers({ 'retry-after': '1.5' }))).toBe(1_500);
    expect(retryAfterMsFromHeaders(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4_000)).toBe(6_000);
    expect(retryAfterMsFromHeaders(new Headers({ 'retry-after-ms': '' }))).toBeUndefined();
    expect(retryAfterMsFromHeaders(new Headers())).toBeUndefined();
  });
});
