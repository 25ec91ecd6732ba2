import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { dayBefore, dayOf } from '../../src/usage/days';
import { createKey, type CreatedKey } from '../setup/seed';
import { adminCall, call, keyGet } from './harness';

const seedDay = (key: CreatedKey, day: string, model: string, requests: number, input: number, output: number, cost: number) =>
  env.DB.prepare(
    `INSERT INTO usage_daily (day, key_id, model, account_id, requests, input_tokens, output_tokens, cost_micros)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
  )
    .bind(day, key.id, model, key.accountId, requests, input, output, cost)
    .run();

describe('GET /v1/usage', () => {
  it('summarises the calling key over the default 30 days in the documented shape', async () => {
    const key = await createKey();
    const other = await createKey();
    const now = Date.now();
    await seedDay(key, dayOf(now), 'model-a', 3, 300, 30, 1_500_000);
    await seedDay(key, dayBefore(now, 10), 'model-a', 2, 200, 20, 500_000);
    await seedDay(key, dayBefore(now, 29), 'model-b', 1, 100, 10, 250);
    await seedDay(key, dayBefore(now, 30), 'model-b', 100, 100, 100, 100);
    await seedDay(other, dayOf(now), 'model-a', 7, 7, 7, 7);

    const response = await keyGet('/v1/usage', key.key);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      ['object', 'days', 'startDate', 'endDate', 'totalRequests', 'totalInputTokens', 'totalOutputTokens', 'totalCost', 'byModel', 'quota'].sort(),
    );
    expect(body).toMatchObject({
      object: 'usage_summary',
      days: 30,
      startDate: dayBefore(now, 29),
      endDate: dayOf(now),
      totalRequests: 6,
      totalInputTokens: 600,
      totalOutputTokens: 60,
      totalCost: 2.00025,
      byModel: [
        { model: 'model-a', requests: 5, inputTokens: 500, outputTokens: 50, totalCost: 2 },
        { model: 'model-b', requests: 1, inputTokens: 100, outputTokens: 10, totalCost: 0.00025 },
      ],
      quota: { mode: 'unlimited', fiveHour: { limit: null, remaining: null }, week: { limit: null }, concurrency: { limit: null, active: 0 } },
    });
    expect((body.quota as { fiveHour: { reset: string } }).fiveHour.reset).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const wide = (await (await keyGet('/v1/usage?days=90', key.key)).json()) as { totalRequests: number; startDate: string };
    expect(wide).toMatchObject({ totalRequests: 106, startDate: dayBefore(now, 89) });
    const today = (await (await keyGet('/v1/usage?days=1', key.key)).json()) as { totalRequests: number; startDate: string; endDate: string };
    expect(today).toMatchObject({ totalRequests: 3, startDate: dayOf(now), endDate: dayOf(now) });
  });

  it('shows an empty summary for a key with no usage, and the plan quota for a subscription key', async () => {
    const key = await createKey({ plan: 'pro' });
    const body = (await (await keyGet('/v1/usage?days=7', key.key)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ days: 7, totalRequests: 0, totalCost: 0, byModel: [], quota: { mode: 'subscription' } });
    expect((body.quota as { fiveHour: { limit: number | null } }).fiveHour.limit).toBeTypeOf('number');
    expect(body).not.toHaveProperty('balance');
  });

  it('adds the balance in dollars for a prepaid key', async () => {
    const key = await createKey({ billing: 'prepaid' });
    await adminCall('POST', `/accounts/${key.accountId}/topup`, { amount: 12.5, reference: `seed_${key.id}` });
    const body = (await (await keyGet('/v1/usage', key.key)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ balance: 12.5, quota: { mode: 'prepaid' } });
  });

  it.each(['0', '91', '-1', 'abc', '7.5', '', '1e1', '030', ' 7'])('answers days=%j with a 400 in the OpenAI shape', async (days) => {
    const key = await createKey();
    const response = await keyGet(`/v1/usage?days=${encodeURIComponent(days)}`, key.key);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'days' } });
  });

  it('requires a key', async () => {
    const response = await call('/v1/usage');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
  });
});
