import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { QuotaLimits } from '../../src/auth/key-record';
import { DAY_MS, MINUTE_MS } from '../../src/quota/windows';
import { createOpenAIChatUpstream, FAKE_OPENAI_CHAT_KEY } from '../fakes/openai-chat-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addProvider, admin, callRelay, createKey, jsonPost } from '../setup/seed';

/** An OpenAI upstream whose every answer reports 400 input and 200 output tokens: 600 a request. */
const upstreamOf600 = () =>
  createOpenAIChatUpstream({
    script: (body) => ({
      type: 'json',
      body: {
        id: 'chatcmpl-tokens',
        object: 'chat.completion',
        created: 1700000000,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: 'counted', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: 400, completion_tokens: 200, total_tokens: 600 },
      },
    }),
  });

const provide = async (id: string, model: string, upstream: (request: Request) => Promise<Response>): Promise<void> => {
  installFakeUpstreams({ [`http://${id}.fake`]: upstream });
  await addProvider({ id, protocol: 'openai-chat', baseUrl: `http://${id}.fake/v1`, apiKey: FAKE_OPENAI_CHAT_KEY, models: [model] });
};

const NO_LIMITS: QuotaLimits = { requestsPer5h: null, requestsPerWeek: null, requestsPerMinute: null, maxConcurrent: null, tokensPerMinute: null, tokensPerDay: null };

/** The key's limiter figures once its released requests have landed (they settle after the answer, off the client's path). */
const tokensSettled = async (keyId: string, limits: Partial<QuotaLimits>, window: 'tokenMinute' | 'tokenDay', used: number): Promise<void> => {
  const limiter = env.QUOTA.get(env.QUOTA.idFromName(keyId));
  for (let attempt = 0; attempt < 200; attempt++) {
    const status = await limiter.status({ limits: { ...NO_LIMITS, ...limits }, now: Date.now(), countsTowardQuota: true });
    if (status[window].used >= used) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${window} never reached ${used} tokens`);
};

const chat = (key: string, model: string, stream = false) =>
  jsonPost('/v1/chat/completions', key, { model, stream, messages: [{ role: 'user', content: 'count me' }] });
const messages = (key: string, model: string) =>
  jsonPost('/v1/messages', key, { model, max_tokens: 50, messages: [{ role: 'user', content: 'count me' }] }, { 'anthropic-version': '2023-06-01' });

/** Moves the relay's clock (Date only: timers keep real time) past a window. */
const travel = (milliseconds: number): void => {
  const now = Date.now();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now + milliseconds);
};

afterEach(() => {
  vi.useRealTimers();
});

describe('token limits through the relay', () => {
  it('lets the request that crosses 1,000 tokens a minute through, refuses the next with headers, and admits again after the minute', async () => {
    await provide('tokens-minute', 'tokens-minute-model', upstreamOf600());
    const { key, id } = await createKey({ plan: 'unlimited', quotaOverrides: { tokensPerMinute: 1_000 } });

    const first = await chat(key, 'tokens-minute-model');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
    expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe('1000');
    expect(first.headers.get('x-ratelimit-reset-tokens')).toMatch(/^(1m0s|5\ds)$/);
    await first.text();
    await tokensSettled(id, { tokensPerMinute: 1_000 }, 'tokenMinute', 600);

    const crossing = await chat(key, 'tokens-minute-model');
    expect(crossing.status).toBe(200);
    expect(crossing.headers.get('x-ratelimit-remaining-tokens')).toBe('400');
    await crossing.text();
    await tokensSettled(id, { tokensPerMinute: 1_000 }, 'tokenMinute', 1_200);

    const refused = await chat(key, 'tokens-minute-model');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
    expect(refused.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
    expect(refused.headers.get('x-ratelimit-reset-tokens')).toMatch(/^(1m0s|[1-5]?\ds)$/);
    const error = (await refused.json()) as { error: { type: string; code: string; message: string } };
    expect(error.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(error.error.message).toMatch(/^per-minute limit of 1000 tokens reached; it resets at \d{4}-\d\d-\d\dT[\d:]+Z$/);

    const usage = (await (await callRelay('/v1/usage', { headers: { authorization: `Bearer ${key}` } })).json()) as {
      quota: { tokensPerMinute: { limit: number | null; used: number; remaining: number | null }; tokensPerDay: { limit: number | null } };
    };
    expect(usage.quota.tokensPerMinute).toMatchObject({ limit: 1_000, used: 1_200, remaining: 0 });
    expect(usage.quota.tokensPerDay.limit).toBeNull();

    travel(MINUTE_MS + 1_000);
    const reopened = await chat(key, 'tokens-minute-model');
    expect(reopened.status).toBe(200);
    expect(reopened.headers.get('x-ratelimit-remaining-tokens')).toBe('1000');
    await reopened.text();
  });

  it('answers an Anthropic client with the anthropic-ratelimit-tokens set and refuses it in its own shape', async () => {
    await provide('tokens-anthropic', 'tokens-anthropic-model', upstreamOf600());
    const { key, id } = await createKey({ plan: 'unlimited', quotaOverrides: { tokensPerMinute: 500 } });

    const first = await messages(key, 'tokens-anthropic-model');
    expect(first.status).toBe(200);
    expect(first.headers.get('anthropic-ratelimit-tokens-limit')).toBe('500');
    expect(first.headers.get('anthropic-ratelimit-tokens-remaining')).toBe('500');
    const reset = Date.parse(first.headers.get('anthropic-ratelimit-tokens-reset') ?? '');
    expect(first.headers.get('anthropic-ratelimit-tokens-reset')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(reset - Date.now()).toBeGreaterThan(50_000);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBeNull();
    await first.text();
    await tokensSettled(id, { tokensPerMinute: 500 }, 'tokenMinute', 600);

    const refused = await messages(key, 'tokens-anthropic-model');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('anthropic-ratelimit-tokens-remaining')).toBe('0');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: expect.stringContaining('500 tokens') } });
  });

  it('counts streamed answers toward tokens per day and resets 24 hours after the first request', async () => {
    // The fake's streams report 12 input and 7 output tokens: the second stream crosses 30.
    await provide('tokens-day', 'tokens-day-model', createOpenAIChatUpstream());
    const { key, id } = await createKey({ plan: 'unlimited', quotaOverrides: { tokensPerDay: 30 } });
    for (const used of [19, 38]) {
      const streamed = await chat(key, 'tokens-day-model', true);
      expect(streamed.status).toBe(200);
      expect(streamed.headers.get('x-ratelimit-limit-tokens')).toBe('30');
      await streamed.text();
      await tokensSettled(id, { tokensPerDay: 30 }, 'tokenDay', used);
    }
    const refused = await chat(key, 'tokens-day-model', true);
    expect(refused.status).toBe(429);
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(DAY_MS / 1000 - 120);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('daily limit of 30 tokens reached');

    travel(DAY_MS + 1_000);
    const nextDay = await chat(key, 'tokens-day-model', true);
    expect(nextDay.status).toBe(200);
    await nextDay.text();
  });

  it('adds no token headers and no token windows for a key without token limits', async () => {
    await provide('tokens-none', 'tokens-none-model', upstreamOf600());
    const { key, id } = await createKey({ plan: 'unlimited', quotaOverrides: { requestsPerMinute: 100 } });
    for (let index = 0; index < 3; index++) {
      const response = await chat(key, 'tokens-none-model');
      expect(response.status).toBe(200);
      expect([...response.headers.keys()].filter((name) => name.includes('tokens'))).toEqual([]);
      await response.text();
    }
    const limiter = env.QUOTA.get(env.QUOTA.idFromName(id));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const status = await limiter.status({ limits: { ...NO_LIMITS, tokensPerMinute: 1, tokensPerDay: 1 }, now: Date.now(), countsTowardQuota: true });
    expect(status.tokenMinute).toMatchObject({ used: 0, open: false });
    expect(status.tokenDay).toMatchObject({ used: 0, open: false });
  });

  it('takes token limits on create and patch, and names them when an override field is unknown', async () => {
    const { id } = await createKey({ quotaOverrides: { tokensPerMinute: 5_000, tokensPerDay: 1_000_000 } });
    const patched = await admin('PATCH', `/keys/${id}`, { quotaOverrides: { tokensPerDay: null, requestsPerMinute: 10 } });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { quotaOverrides: unknown }).quotaOverrides).toEqual({ tokensPerDay: null, requestsPerMinute: 10 });
    const unknown = await admin('PATCH', `/keys/${id}`, { quotaOverrides: { tokensPerHour: 5 } });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain('tokensPerMinute, tokensPerDay');
  });
});
