import { listDurableObjectIds } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { AuthenticatedKey, QuotaLimits } from '../../src/auth/key-record';
import { RelayError } from '../../src/errors';
import { rateLimitHeaders } from '../../src/quota/headers';
import {
  PREPAID_DEFAULT_MAX_CONCURRENT,
  QuotaExceededError,
  admitRequest,
  quotaStatus,
  refundRequest,
  releaseRequest,
  resetQuota,
} from '../../src/quota/quota-client';
import { FIVE_HOURS_MS, WEEK_MS } from '../../src/quota/windows';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const FREE: QuotaLimits = { requestsPer5h: 40, requestsPerWeek: 200, requestsPerMinute: null, maxConcurrent: null, tokensPerMinute: null, tokensPerDay: null };
const UNLIMITED: QuotaLimits = { requestsPer5h: null, requestsPerWeek: null, requestsPerMinute: null, maxConcurrent: null, tokensPerMinute: null, tokensPerDay: null };

const keyWith = (limits: QuotaLimits, billing: AuthenticatedKey['billing'] = 'subscription'): AuthenticatedKey => ({
  id: `key_${crypto.randomUUID()}`,
  accountId: 'acct_1',
  name: 'test key',
  kind: 'inference',
  planId: 'free',
  planAgentAccess: false,
  billing,
  scopes: ['chat'],
  models: null,
  limits,
  monthlySpendCapMicros: null,
  expiresAt: null,
});

const limiterWasCreated = async (key: AuthenticatedKey): Promise<boolean> => {
  const id = env.QUOTA.idFromName(key.id);
  return (await listDurableObjectIds(env.QUOTA)).some((existing) => existing.equals(id));
};

describe('admitRequest', () => {
  it('admits 40 of 200 concurrent free-plan requests and answers the rest with a 429 naming the window', async () => {
    const key = keyWith(FREE);
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => admitRequest(env, key, T0)));
    const admitted = results.filter((result) => result.status === 'fulfilled');
    const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(admitted).toHaveLength(40);
    expect(refused).toHaveLength(160);
    const remaining = admitted.map((result) => rateLimitHeaders(result.value.verdict, 'openai-chat')['x-ratelimit-remaining']);
    expect(new Set(remaining).size).toBe(40);
    for (const error of refused) {
      expect(error).toBeInstanceOf(QuotaExceededError);
      expect(error).toBeInstanceOf(RelayError);
      expect(error).toMatchObject({ kind: 'rate_limit', status: 429, code: 'rate_limit_exceeded', retryAfterSeconds: 18_000 });
    }
    const [first] = refused;
    expect(first).toBeInstanceOf(QuotaExceededError);
    if (!(first instanceof QuotaExceededError)) return;
    expect(first.message).toBe('5-hour request quota of 40 requests exhausted; it resets at 2026-01-05T14:00:00Z');
    expect(rateLimitHeaders(first.verdict, 'anthropic')).toMatchObject({
      'x-ratelimit-remaining': '0',
      'x-ratelimit-remaining-week': '160',
      'anthropic-ratelimit-requests-remaining': '0',
    });
  });

  it('names the weekly window and its reset when the week runs out', async () => {
    const key = keyWith({ ...FREE, requestsPerWeek: 1 });
    await admitRequest(env, key, T0);
    await expect(admitRequest(env, key, T0 + 1)).rejects.toThrow(
      'weekly request quota of 1 requests exhausted; it resets at 2026-01-12T09:00:00Z',
    );
  });

  it('names the concurrency limit', async () => {
    const key = keyWith({ ...UNLIMITED, maxConcurrent: 1 }, 'prepaid');
    await admitRequest(env, key, T0);
    await expect(admitRequest(env, key, T0)).rejects.toThrow('limit of 1 concurrent requests reached; retry in 1s');
  });

  it('skips the Durable Object entirely for a key with nothing to enforce', async () => {
    for (const key of [keyWith(UNLIMITED)]) {
      const admission = await admitRequest(env, key, T0);
      expect(admission.tracked).toBe(false);
      expect(rateLimitHeaders(admission.verdict, 'anthropic')).toEqual({});
      expect(await refundRequest(env, key, admission, T0)).toBe(false);
      await releaseRequest(env, key, admission);
      expect(await quotaStatus(env, key, T0)).toMatchObject({ fiveHour: { limit: null }, concurrency: { active: 0 } });
      expect(await limiterWasCreated(key)).toBe(false);
    }
    const limited = keyWith(FREE);
    await admitRequest(env, limited, T0);
    expect(await limiterWasCreated(limited)).toBe(true);
  });

  it('gives a prepaid key without a concurrency limit the prepaid default, so its requests in flight are bounded', async () => {
    const key = keyWith(FREE, 'prepaid');
    const admission = await admitRequest(env, key, T0);
    expect(admission.tracked).toBe(true);
    expect(admission.verdict.leaseId).toBeDefined();
    expect(await quotaStatus(env, key, T0)).toMatchObject({ mode: 'prepaid', concurrency: { limit: PREPAID_DEFAULT_MAX_CONCURRENT, active: 1 } });
    await releaseRequest(env, key, admission);
  });
});

describe('refundRequest and releaseRequest', () => {
  it('refunds once and releases the lease', async () => {
    const key = keyWith({ ...FREE, maxConcurrent: 1 });
    const admission = await admitRequest(env, key, T0);
    expect(admission.verdict.leaseId).toBeDefined();
    expect(await refundRequest(env, key, admission, T0 + 1)).toBe(true);
    expect(await refundRequest(env, key, admission, T0 + 2)).toBe(false);
    const status = await quotaStatus(env, key, T0 + 3);
    expect(status).toMatchObject({ fiveHour: { used: 0 }, week: { used: 0 }, concurrency: { active: 0 } });
  });

  it('frees the concurrency slot when the response ends', async () => {
    const key = keyWith({ ...FREE, maxConcurrent: 1 });
    const admission = await admitRequest(env, key, T0);
    await expect(admitRequest(env, key, T0)).rejects.toBeInstanceOf(QuotaExceededError);
    await releaseRequest(env, key, admission);
    await releaseRequest(env, key, admission);
    const next = await admitRequest(env, key, T0 + 1);
    expect(next.verdict.fiveHour.used).toBe(2);
  });
});

describe('quotaStatus and resetQuota', () => {
  it('reports mode, limits, remaining and resets', async () => {
    const key = keyWith(FREE);
    expect(await quotaStatus(env, key, T0)).toMatchObject({
      mode: 'subscription',
      fiveHour: { limit: 40, used: 0, remaining: 40, reset: T0 + FIVE_HOURS_MS, open: false },
      week: { limit: 200, remaining: 200, reset: T0 + WEEK_MS },
    });
    await admitRequest(env, key, T0);
    expect(await quotaStatus(env, key, T0 + 10)).toMatchObject({
      fiveHour: { used: 1, remaining: 39, reset: T0 + FIVE_HOURS_MS, open: true },
    });
    expect((await quotaStatus(env, keyWith(UNLIMITED), T0)).mode).toBe('unlimited');
    expect((await quotaStatus(env, keyWith({ ...FREE, requestsPerMinute: 5 }, 'prepaid'), T0)).mode).toBe('prepaid');
  });

  it('resets a key so its next request opens fresh windows', async () => {
    const key = keyWith({ ...FREE, requestsPer5h: 1 });
    await admitRequest(env, key, T0);
    await expect(admitRequest(env, key, T0 + 1)).rejects.toBeInstanceOf(QuotaExceededError);
    await resetQuota(env, key);
    expect((await admitRequest(env, key, T0 + 2)).verdict.fiveHour).toMatchObject({ used: 1, reset: T0 + 2 + FIVE_HOURS_MS });
  });
});
