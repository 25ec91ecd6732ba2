import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { addMockProvider, createKey } from '../setup/seed';
import { adminCall, call, eventually } from '../usage/harness';

/**
 * A prepaid balance smaller than one request's reservation (4,096 output tokens at the model's price)
 * was held in full until the usage queue wrote the request's event, so the request sent right after
 * it was refused "Your prepaid balance is $0.00" for a queue flush or longer. The hold now shrinks
 * to the request's cost when the request ends.
 */
const MODEL = 'mock-hold-shrink';
const BALANCE = 50_000; // $0.05

const ask = (key: string) =>
  call('/v1/messages', {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }),
  });

const accountState = (accountId: string, keyId: string) =>
  env.DB.prepare(
    `SELECT a.balance_micros AS balance, (SELECT COALESCE(SUM(amount_micros), 0) FROM ledger WHERE account_id = a.id) AS ledgerSum,
       (SELECT COUNT(*) FROM usage_events WHERE key_id = ?2) AS events, (SELECT COALESCE(SUM(cost_micros), 0) FROM usage_events WHERE key_id = ?2) AS spent
     FROM accounts a WHERE a.id = ?1`,
  )
    .bind(accountId, keyId)
    .first<{ balance: number; ledgerSum: number; events: number; spent: number }>();

describe('a prepaid key with a small balance', () => {
  it('is not refused for the reservation of the request it just finished', async () => {
    await addMockProvider();
    // $100 / 1M both ways: a mock answer costs a few thousand micro-dollars, a reservation far more than the balance.
    expect([200, 201]).toContain((await adminCall('PUT', `/prices/${MODEL}`, { inputPerMillion: 100, outputPerMillion: 100 })).status);
    const key = await createKey({ billing: 'prepaid', scopes: ['chat'] });
    expect((await adminCall('POST', `/accounts/${key.accountId}/topup`, { amount: BALANCE / 1_000_000, reference: `seed_${key.id}` })).status).toBe(201);

    const first = await ask(key.key);
    expect(first.status, await first.clone().text()).toBe(200);
    // The queue has not written the first event yet: the balance is the ledger's and only the first request's cost is held.
    const between = await accountState(key.accountId, key.id);
    expect(between?.events).toBe(0);
    expect(between?.balance).toBe(between?.ledgerSum);
    expect(between?.balance).toBeGreaterThan(BALANCE / 2);

    const second = await ask(key.key);
    expect(second.status, await second.clone().text()).toBe(200);

    const settled = await eventually(async () => {
      const state = await accountState(key.accountId, key.id);
      return state?.events === 2 && state.balance === BALANCE - state.spent ? state : undefined;
    });
    expect(settled.balance).toBe(settled.ledgerSum);
    expect(settled.spent).toBeGreaterThan(0);
  });
});
