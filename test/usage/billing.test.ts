import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { apiKeyAuth } from '../../src/auth/middleware';
import type { AuthenticatedKey } from '../../src/auth/key-record';
import { buildApp } from '../../src/app';
import { RelayError } from '../../src/errors';
import { WIRE_FORMATS } from '../../src/ir/format';
import { clientFormat } from '../../src/routes/client-format';
import { assertCanSpend, forgetSpendCache, SPEND_CACHE_TTL_MS } from '../../src/usage/billing';
import { dayOf } from '../../src/usage/days';
import { addMockProvider, createKey } from '../setup/seed';
import { adminCall, call, eventually, ledgerState } from './harness';

const keyOf = (id: string, accountId: string, overrides: Partial<AuthenticatedKey> = {}): AuthenticatedKey => ({
  id,
  accountId,
  name: 'test',
  kind: 'inference',
  planId: 'unlimited',
  planAgentAccess: false,
  billing: 'prepaid',
  scopes: ['chat'],
  models: null,
  limits: { requestsPer5h: null, requestsPerWeek: null, requestsPerMinute: null, maxConcurrent: null, tokensPerMinute: null, tokensPerDay: null },
  monthlySpendCapMicros: null,
  expiresAt: null,
  ...overrides,
});

const refusal = async (promise: Promise<void>): Promise<RelayError> => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof RelayError)) throw new Error(`expected a RelayError, got ${String(error)}`);
  return error;
};

const spendCheckApp = buildApp();
for (const format of WIRE_FORMATS) {
  spendCheckApp.post(`/spend-check/${format}`, clientFormat(format), apiKeyAuth({ scope: 'chat' }), async (c) => {
    await assertCanSpend(c.env, c.var.apiKey, Date.now());
    return c.json({ ok: true });
  });
}

describe('assertCanSpend', () => {
  it('refuses a prepaid account at a balance of zero and admits it after a top-up', async () => {
    const created = await createKey({ billing: 'prepaid' });
    const key = keyOf(created.id, created.accountId);
    const now = Date.now();
    const error = await refusal(assertCanSpend(env, key, now));
    expect(error).toMatchObject({ kind: 'insufficient_quota', status: 402, code: 'insufficient_quota' });
    expect(error.message).toContain('prepaid balance is $0.00');

    const topup = await adminCall('POST', `/accounts/${created.accountId}/topup`, { amount: 5, reference: `seed_${created.id}` });
    expect(topup.status).toBe(201);
    await expect(assertCanSpend(env, key, now + 1)).resolves.toBeUndefined();
  });

  it('trusts a reading for the cache TTL, then reads again (the over-spend window)', async () => {
    const created = await createKey({ billing: 'prepaid' });
    const key = keyOf(created.id, created.accountId);
    const now = Date.now();
    await adminCall('POST', `/accounts/${created.accountId}/topup`, { amount: 1, reference: `seed_${created.id}` });
    await assertCanSpend(env, key, now);
    await env.DB.prepare('UPDATE accounts SET balance_micros = -5 WHERE id = ?1').bind(created.accountId).run();
    await expect(assertCanSpend(env, key, now + SPEND_CACHE_TTL_MS - 1)).resolves.toBeUndefined();
    await expect(refusal(assertCanSpend(env, key, now + SPEND_CACHE_TTL_MS))).resolves.toMatchObject({ kind: 'insufficient_quota' });
    forgetSpendCache();
  });

  it('refuses a key past its monthly spend cap, counting this month only', async () => {
    const created = await createKey({ monthlySpendCap: 0.01 });
    const key = keyOf(created.id, created.accountId, { billing: 'subscription', monthlySpendCapMicros: 10_000 });
    const now = Date.now();
    const insert = (day: string, cost: number) =>
      env.DB.prepare("INSERT INTO usage_daily (day, key_id, model, account_id, requests, cost_micros) VALUES (?1, ?2, 'm', ?3, 1, ?4)")
        .bind(day, created.id, created.accountId, cost)
        .run();
    await insert(dayOf(now - 40 * 86_400_000), 50_000);
    await insert(dayOf(now), 9_999);
    await expect(assertCanSpend(env, key, now)).resolves.toBeUndefined();
    await env.DB.prepare('UPDATE usage_daily SET cost_micros = 10000 WHERE key_id = ?1 AND day = ?2').bind(created.id, dayOf(now)).run();
    const error = await refusal(assertCanSpend(env, key, now + SPEND_CACHE_TTL_MS));
    expect(error).toMatchObject({ kind: 'insufficient_quota', status: 402, code: 'spend_cap_reached' });
    expect(error.message).toMatch(/monthly spend cap of \$0\.01 \(\$0\.01 spent this month\); the cap resets at \d{4}-\d{2}-01T00:00:00Z/);
  });

  it('answers a refusal in each caller shape', async () => {
    const { key } = await createKey({ billing: 'prepaid' });
    const post = (format: string) =>
      spendCheckApp.request(`/spend-check/${format}`, { method: 'POST', headers: { authorization: `Bearer ${key}` } }, env);
    const openai = await post('openai-chat');
    expect(openai.status).toBe(429);
    expect(await openai.json()).toMatchObject({ error: { type: 'insufficient_quota', code: 'insufficient_quota' } });
    const responses = await post('openai-responses');
    expect(responses.status).toBe(429);
    expect(await responses.json()).toMatchObject({ error: { type: 'insufficient_quota', code: 'insufficient_quota' } });
    const anthropic = await post('anthropic');
    expect(anthropic.status).toBe(402);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'billing_error' } });
    const gemini = await post('gemini');
    expect(gemini.status).toBe(429);
    expect(await gemini.json()).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
  });
});

describe('prepaid through the relay', () => {
  it('debits a relayed request once, then refuses the exhausted account', async () => {
    await addMockProvider();
    expect((await adminCall('PUT', '/prices/mock-billing', { inputPerMillion: 10, outputPerMillion: 30 })).status).toBe(201);
    const created = await createKey({ billing: 'prepaid' });
    const key = keyOf(created.id, created.accountId);
    await adminCall('POST', `/accounts/${created.accountId}/topup`, { amount: 0.0001, reference: `seed_${created.id}` });
    await assertCanSpend(env, key, Date.now());

    const response = await call('/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${created.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-billing', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    const cost = Math.ceil((body.usage.prompt_tokens * 10_000_000 + body.usage.completion_tokens * 30_000_000) / 1_000_000);

    // The real usage queue delivers the event to the consumer after its batch timeout.
    const state = await eventually(async () => {
      const current = await ledgerState(created.accountId);
      return current.charges === 1 ? current : undefined;
    });
    expect(state).toEqual({ balance: 100 - cost, ledgerSum: 100 - cost, charges: 1 });
    forgetSpendCache(created.accountId);
    await expect(refusal(assertCanSpend(env, key, Date.now()))).resolves.toMatchObject({ kind: 'insufficient_quota', status: 402 });
  });
});
