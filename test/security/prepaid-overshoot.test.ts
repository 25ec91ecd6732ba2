import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { effectiveLimits, PREPAID_DEFAULT_MAX_CONCURRENT } from '../../src/quota/quota-client';
import { accountBalanceOf } from '../../src/usage/account-balance';
import { STALE_HOLD_MS } from '../../src/usage/balance-readings';
import { reserveSpend } from '../../src/usage/spend-hold';
import type { AuthenticatedKey } from '../../src/auth/key-record';
import { addMockProvider, createKey } from '../setup/seed';
import { adminCall, call, eventually, ledgerState } from '../usage/harness';

const MODEL = 'mock-overshoot';
const BALANCE = 10_000; // $0.01

const message = (key: string) =>
  call('/v1/messages', {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'tell me something expensive' }] }),
  });

const ledgerKinds = async (accountId: string): Promise<Record<string, { count: number; sum: number }>> => {
  const rows = await env.DB.prepare('SELECT kind, COUNT(*) AS count, SUM(amount_micros) AS sum FROM ledger WHERE account_id = ?1 GROUP BY kind')
    .bind(accountId)
    .all<{ kind: string; count: number; sum: number }>();
  return Object.fromEntries(rows.results.map((row) => [row.kind, { count: row.count, sum: row.sum }]));
};

describe('prepaid overshoot', () => {
  it('50 concurrent requests on a $0.01 balance spend about the balance, not 50 times it', async () => {
    await addMockProvider();
    // $100 / 1M input, $300 / 1M output: one mock answer costs about the whole balance.
    expect([200, 201]).toContain((await adminCall('PUT', `/prices/${MODEL}`, { inputPerMillion: 100, outputPerMillion: 300 })).status);
    const created = await createKey({ billing: 'prepaid', scopes: ['chat'] });
    await adminCall('POST', `/accounts/${created.accountId}/topup`, { amount: BALANCE / 1_000_000, reference: `seed_${created.id}` });

    const responses = await Promise.all(Array.from({ length: 50 }, () => message(created.key)));
    const answered = responses.filter((response) => response.status === 200);
    const costs: number[] = [];
    for (const response of responses) {
      if (response.status !== 200) {
        expect([402, 429]).toContain(response.status);
        await response.text();
        continue;
      }
      const body = (await response.json()) as { usage: { input_tokens: number; output_tokens: number } };
      costs.push(Math.ceil((body.usage.input_tokens * 100_000_000 + body.usage.output_tokens * 300_000_000) / 1_000_000));
    }
    expect(answered.length).toBeGreaterThanOrEqual(1);
    expect(answered.length).toBeLessThanOrEqual(2);

    // Every reservation is settled by its usage event (the account's object sees it written) and the
    // answers are charged, in the hour's one charge row; D1 never held a reservation.
    const balance = accountBalanceOf(env, created.accountId);
    const kinds = await eventually(async () => {
      const current = await ledgerKinds(created.accountId);
      const open = await balance.status({ accountId: created.accountId });
      return -(current.charge?.sum ?? 0) === costs.reduce((sum, cost) => sum + cost, 0) && open.openHolds === 0 ? current : undefined;
    });
    expect(Object.keys(kinds).sort()).toEqual(['charge', 'topup']);
    const state = await ledgerState(created.accountId);
    expect(state.balance).toBe(state.ledgerSum);
    // At most one request's cost below its reservation, never the sum of many.
    expect(state.balance).toBeGreaterThanOrEqual(-Math.max(...costs));
  });

  it('stops counting a reservation nothing settled once it is stale, and not before', async () => {
    expect([200, 201]).toContain((await adminCall('PUT', `/prices/${MODEL}`, { inputPerMillion: 100, outputPerMillion: 300 })).status);
    const created = await createKey({ billing: 'prepaid', scopes: ['chat'] });
    await adminCall('POST', `/accounts/${created.accountId}/topup`, { amount: 0.5, reference: `seed_${created.id}` });
    const key = { id: created.id, accountId: created.accountId, billing: 'prepaid' } as AuthenticatedKey;
    const balance = accountBalanceOf(env, created.accountId);
    const now = Date.now();
    // One reservation is the whole balance here. A request that started just under STALE_HOLD_MS ago may
    // still be running: its hold keeps the next request out. One that started just over it is past saving.
    expect(await reserveSpend(env, key, { requestId: 'req_slow', model: MODEL, inputTokens: 100, now: now - STALE_HOLD_MS + 60_000 })).toBeDefined();
    await expect(reserveSpend(env, key, { requestId: 'req_refused', model: MODEL, inputTokens: 100, now })).rejects.toMatchObject({ status: 402 });
    await balance.release({ requestId: 'req_slow' });
    expect(await reserveSpend(env, key, { requestId: 'req_lost_in_a_crash', model: MODEL, inputTokens: 100, now: now - STALE_HOLD_MS - 1_000 })).toBeDefined();
    expect(await reserveSpend(env, key, { requestId: 'req_next', model: MODEL, inputTokens: 100, now })).toBeDefined();
    expect(await balance.status({ accountId: created.accountId })).toEqual({ balanceMicros: 500_000, heldMicros: 500_000, openHolds: 1 });
    expect(await ledgerState(created.accountId)).toMatchObject({ balance: 500_000, ledgerSum: 500_000 });
  });

  it('reserves for an alias by its upstream model when only that one is priced, as the usage event is charged', async () => {
    expect([200, 201]).toContain((await adminCall('PUT', `/prices/${MODEL}-upstream`, { inputPerMillion: 100, outputPerMillion: 300 })).status);
    const created = await createKey({ billing: 'prepaid', scopes: ['chat'] });
    await adminCall('POST', `/accounts/${created.accountId}/topup`, { amount: 0.5, reference: `seed_${created.id}` });
    const key = { id: created.id, accountId: created.accountId, billing: 'prepaid' } as AuthenticatedKey;
    const input = { requestId: 'req_alias_hold', model: `${MODEL}-alias-unpriced`, inputTokens: 100, now: Date.now() };
    expect(await reserveSpend(env, key, input)).toBeUndefined();
    expect(await reserveSpend(env, key, { ...input, requestId: 'req_alias_hold_2', upstreamModel: `${MODEL}-upstream` })).toBeDefined();
    expect(await accountBalanceOf(env, created.accountId).status({ accountId: created.accountId })).toEqual({
      balanceMicros: 500_000,
      // The estimate (4,096 output tokens at $300 / 1M) is more than the balance: all of it is held.
      heldMicros: 500_000,
      openHolds: 1,
    });
  });

  it('gives a prepaid key without a limit the default concurrency cap', () => {
    const key = { billing: 'prepaid', limits: { requestsPer5h: null, requestsPerWeek: null, requestsPerMinute: null, maxConcurrent: null } } as AuthenticatedKey;
    expect(effectiveLimits(key).maxConcurrent).toBe(PREPAID_DEFAULT_MAX_CONCURRENT);
    expect(effectiveLimits({ ...key, limits: { ...key.limits, maxConcurrent: 2 } }).maxConcurrent).toBe(2);
    expect(effectiveLimits({ ...key, billing: 'subscription' }).maxConcurrent).toBeNull();
  });
});
