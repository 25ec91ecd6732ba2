import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createKey } from '../setup/seed';
import { adminCall, call } from './harness';

interface AccountBody {
  id: string;
  balance: number;
  balanceMicros: number;
  ledgerBalanceMicros: number;
  ledgerEntries: number;
}

const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;

describe('admin prices', () => {
  it('stores dollars per 1M tokens as micro-dollars, with cache prices defaulting to the input price', async () => {
    const created = await adminCall('PUT', '/prices/vendor/model-x', { inputPerMillion: 3, outputPerMillion: 15, cacheReadPerMillion: 0.3 });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      model: 'vendor/model-x',
      inputPerMillion: 3,
      cacheReadPerMillion: 0.3,
      cacheWritePerMillion: 3,
      micros: { inputPerMillion: 3_000_000, outputPerMillion: 15_000_000, cacheReadPerMillion: 300_000, cacheWritePerMillion: 3_000_000, perImage: 0 },
    });
    const row = await env.DB.prepare('SELECT * FROM model_prices WHERE model = ?1').bind('vendor/model-x').first();
    expect(row).toMatchObject({ input_per_million_micros: 3_000_000, cache_read_per_million_micros: 300_000 });

    const replaced = await adminCall('PUT', '/prices/vendor/model-x', { inputPerMillion: 2.5, outputPerMillion: 10, perImage: 0.04 });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ inputPerMillion: 2.5, cacheReadPerMillion: 2.5, perImage: 0.04, micros: { perImage: 40_000 } });

    const list = await json<{ data: Array<{ model: string }> }>(await adminCall('GET', '/prices'));
    expect(list.data.map((price) => price.model)).toContain('vendor/model-x');
    expect((await adminCall('GET', '/prices/vendor/model-x')).status).toBe(200);
    expect(await (await adminCall('DELETE', '/prices/vendor/model-x')).json()).toEqual({ model: 'vendor/model-x', deleted: true });
    expect((await adminCall('GET', '/prices/vendor/model-x')).status).toBe(404);
    expect((await adminCall('DELETE', '/prices/vendor/model-x')).status).toBe(404);
  });

  it('refuses negative, missing and unknown price fields', async () => {
    const bad = await adminCall('PUT', '/prices/m', { inputPerMillion: -1, outputPerMillion: 1 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { param: 'inputPerMillion' } });
    // A price may name only some fields (an image model's perImage alone); a body naming none is refused.
    expect((await adminCall('PUT', '/prices/m', {})).status).toBe(400);
    expect((await adminCall('PUT', '/prices/m', { inputPerMillion: 1, outputPerMillion: 1, input: 2 })).status).toBe(400);
    expect((await call('/admin/prices')).status).toBe(401);
  });
});

describe('admin accounts and ledger', () => {
  it('creates an account, tops it up once per reference, refunds, and keeps balance = sum(ledger)', async () => {
    const created = await adminCall('POST', '/accounts', { name: 'Acme' });
    expect(created.status).toBe(201);
    const account = await json<AccountBody>(created);
    expect(account).toMatchObject({ name: 'Acme', balance: 0, ledgerEntries: 0, keys: 0 });
    expect((await adminCall('POST', '/accounts', { id: account.id, name: 'again' })).status).toBe(409);

    const first = await adminCall('POST', `/accounts/${account.id}/topup`, { amount: 10.25, reference: 'invoice-1' });
    expect(first.status).toBe(201);
    // The stored reference is namespaced by source and account; the API answers with the operator's own.
    expect(await first.json()).toMatchObject({ outcome: 'applied', entryId: `led_topup_topup:${account.id}:invoice-1`, reference: 'invoice-1', account: { balance: 10.25 } });
    const conflicting = await adminCall('POST', `/accounts/${account.id}/topup`, { amount: 99, reference: 'invoice-1' });
    expect(conflicting.status).toBe(409);
    const repeat = await adminCall('POST', `/accounts/${account.id}/topup`, { amount: 10.25, reference: 'invoice-1' });
    expect(repeat.status).toBe(200);
    expect(await repeat.json()).toMatchObject({ outcome: 'duplicate', account: { balanceMicros: 10_250_000 } });
    await Promise.all(Array.from({ length: 20 }, (_, index) => adminCall('POST', `/accounts/${account.id}/topup`, { amount: 0.000001, reference: `micro-${index}` })));
    expect((await adminCall('POST', `/accounts/${account.id}/refund`, { amount: 1, reference: 'req_refunded' })).status).toBe(201);

    const view = await json<AccountBody>(await adminCall('GET', `/accounts/${account.id}`));
    expect(view).toMatchObject({ balanceMicros: 11_250_020, ledgerBalanceMicros: 11_250_020, ledgerEntries: 22 });

    const pageOne = await json<{ data: Array<{ id: string; kind: string }>; nextCursor: string | null }>(
      await adminCall('GET', `/accounts/${account.id}/ledger?limit=15`),
    );
    expect(pageOne.data).toHaveLength(15);
    const pageTwo = await json<{ data: Array<{ id: string }>; nextCursor: string | null }>(
      await adminCall('GET', `/accounts/${account.id}/ledger?limit=15&cursor=${encodeURIComponent(pageOne.nextCursor ?? '')}`),
    );
    expect(pageTwo.data).toHaveLength(7);
    expect(pageTwo.nextCursor).toBeNull();
    expect(new Set([...pageOne.data, ...pageTwo.data].map((entry) => entry.id)).size).toBe(22);

    const list = await json<{ data: AccountBody[] }>(await adminCall('GET', '/accounts?limit=1000'));
    expect(list.data.find((entry) => entry.id === account.id)).toMatchObject({ balance: 11.25002 });
  });

  it('refuses bad amounts, unknown accounts and refunds without a reference', async () => {
    const key = await createKey();
    expect((await adminCall('POST', `/accounts/${key.accountId}/topup`, { amount: 0 })).status).toBe(400);
    expect((await adminCall('POST', `/accounts/${key.accountId}/topup`, { amount: '5' })).status).toBe(400);
    expect((await adminCall('POST', `/accounts/${key.accountId}/refund`, { amount: 1 })).status).toBe(400);
    expect((await adminCall('POST', '/accounts/acct_missing/topup', { amount: 1, reference: 'invoice-missing' })).status).toBe(404);
    expect((await adminCall('GET', '/accounts/acct_missing')).status).toBe(404);
    expect(await json<AccountBody>(await adminCall('GET', `/accounts/${key.accountId}`))).toMatchObject({ keys: 1, balance: 0 });
  });
});

describe('admin usage queries', () => {
  it('groups the rollup by key, account, model and day over a date range', async () => {
    const one = await createKey();
    const two = await createKey({ accountId: one.accountId });
    const seed = (keyId: string, day: string, model: string, requests: number, cost: number) =>
      env.DB.prepare('INSERT INTO usage_daily (day, key_id, model, account_id, requests, input_tokens, cost_micros) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)')
        .bind(day, keyId, model, one.accountId, requests, cost)
        .run();
    await seed(one.id, '2026-05-01', 'm-a', 1, 1_000_000);
    await seed(one.id, '2026-05-02', 'm-b', 2, 2_000_000);
    await seed(two.id, '2026-05-02', 'm-a', 4, 4_000_000);
    await seed(two.id, '2026-06-01', 'm-a', 8, 8_000_000);
    const report = async (query: string) => json<{ totals: { requests: number; cost: number }; data: Array<Record<string, unknown>> }>(await adminCall('GET', `/usage?${query}`));

    const byModel = await report(`accountId=${one.accountId}&from=2026-05-01&to=2026-05-31&groupBy=model`);
    expect(byModel.totals).toMatchObject({ requests: 7, cost: 7 });
    expect(byModel.data).toEqual([
      expect.objectContaining({ model: 'm-a', requests: 5, cost: 5, costMicros: 5_000_000 }),
      expect.objectContaining({ model: 'm-b', requests: 2 }),
    ]);
    const byKeyDay = await report(`keyId=${two.id}&groupBy=day,key`);
    expect(byKeyDay.data).toEqual([
      expect.objectContaining({ day: '2026-05-02', keyId: two.id, requests: 4 }),
      expect.objectContaining({ day: '2026-06-01', keyId: two.id, requests: 8 }),
    ]);
    expect((await report(`accountId=${one.accountId}&model=m-a&groupBy=`)).totals.requests).toBe(13);
    expect((await adminCall('GET', '/usage?groupBy=colour')).status).toBe(400);
  });

  it('lists raw events with a keyset cursor', async () => {
    const accountId = `acct_events_${Date.now()}`;
    for (let index = 0; index < 5; index++) {
      await env.DB.prepare(
        `INSERT INTO usage_events (request_id, account_id, key_id, model, client_format, status, stream, cost_micros, created_at)
         VALUES (?1, ?2, 'key_e', 'm', 'gemini', 200, 1, 1500, ?3)`,
      )
        .bind(`req_ev_${index}`, accountId, 1_780_000_000_000 + Math.floor(index / 2))
        .run();
    }
    const page = async (cursor: string | null) =>
      json<{ data: Array<{ requestId: string; stream: boolean; cost: number }>; nextCursor: string | null }>(
        await adminCall('GET', `/usage/events?accountId=${accountId}&limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`),
      );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const result = await page(cursor);
      seen.push(...result.data.map((event) => event.requestId));
      cursor = result.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(['req_ev_0', 'req_ev_1', 'req_ev_2', 'req_ev_3', 'req_ev_4']);
    expect((await page(null)).data[0]).toMatchObject({ stream: true, cost: 0.0015 });
    expect((await adminCall('GET', '/usage/events?cursor=nonsense')).status).toBe(400);
  });
});
