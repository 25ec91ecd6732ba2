import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuthenticatedKey } from '../../src/auth/key-record';
import { consumeUsageBatch } from '../../src/usage/consumer';
import type { UsageEvent } from '../../src/usage/event';
import { accountBalanceOf } from '../../src/usage/account-balance';
import { applyLedgerEntry } from '../../src/usage/ledger';
import { releaseSpendHold, reserveSpend } from '../../src/usage/spend-hold';
import { packUsageEvents, PACK_BYTES, type UsageMessageBody } from '../../src/usage/usage-message';
import { createKey, type CreatedKey } from '../setup/seed';
import { dbCount, ledgerState, setPrice, usageEvent } from './harness';

const MODEL = 'aggregation-model';
// $2 / 1M input, $8 / 1M output: 1,000 in + 500 out = 6,000 micro-dollars.
const EVENT_COST = 6_000;
const HOUR = 3_600_000;

let sequence = 0;
const consume = async (bodies: readonly UsageMessageBody[], attempts = 1) => {
  const batch = createMessageBatch<UsageMessageBody>(
    'polyrelay-usage',
    bodies.map((body) => ({ id: `agg_${sequence++}`, timestamp: new Date(), attempts, body })),
  );
  await consumeUsageBatch(batch, env);
  const result = await getQueueResult(batch, createExecutionContext());
  return { acked: result.explicitAcks.length, retried: result.retryMessages.length };
};

const prepaidKey = async (balance: number): Promise<CreatedKey> => {
  const key = await createKey({ billing: 'prepaid' });
  await applyLedgerEntry(env, { accountId: key.accountId, kind: 'topup', source: 'topup', amountMicros: balance, reference: `t_${key.id}`, now: Date.now() });
  return key;
};

const eventFor = (key: CreatedKey, createdAt: number): UsageEvent =>
  usageEvent({ accountId: key.accountId, keyId: key.id, model: MODEL, billing: 'prepaid', createdAt });

const chargeRows = (accountId: string) =>
  env.DB.prepare("SELECT reference, amount_micros AS amount FROM ledger WHERE account_id = ?1 AND kind = 'charge' ORDER BY reference")
    .bind(accountId)
    .all<{ reference: string; amount: number }>()
    .then((result) => result.results);

beforeAll(async () => {
  await setPrice(MODEL, 2_000_000, 8_000_000);
});

describe('hourly usage charges', () => {
  it('writes many charges of one hour as one ledger row, and the balance stays the ledger sum', async () => {
    const key = await prepaidKey(10_000_000);
    const hourStart = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
    const events = Array.from({ length: 300 }, (_, index) => eventFor(key, hourStart + index * 1_000));
    // Three consumer batches, as the queue would deliver them.
    for (let start = 0; start < events.length; start += 100) expect(await consume(events.slice(start, start + 100))).toEqual({ acked: 100, retried: 0 });
    expect(await chargeRows(key.accountId)).toEqual([
      { reference: `usage:${key.accountId}:${new Date(hourStart).toISOString().slice(0, 13)}h`, amount: -300 * EVENT_COST },
    ]);
    expect(await ledgerState(key.accountId)).toEqual({ balance: 10_000_000 - 300 * EVENT_COST, ledgerSum: 10_000_000 - 300 * EVENT_COST, charges: 1 });
    // The next hour opens the next row.
    await consume([eventFor(key, hourStart + HOUR + 1)]);
    expect((await chargeRows(key.accountId)).map((row) => row.amount)).toEqual([-300 * EVENT_COST, -EVENT_COST]);
    expect((await ledgerState(key.accountId)).balance).toBe(10_000_000 - 301 * EVENT_COST);
  });

  it('never charges a redelivered event twice, in the same batch, a later batch or a pack', async () => {
    const key = await prepaidKey(1_000_000);
    const now = Date.now();
    const events = Array.from({ length: 10 }, (_, index) => eventFor(key, now - index));
    await consume(events);
    await consume(events, 2);
    await consume([...events, ...events]);
    await consume([{ events }, { events: events.slice(0, 5) }], 3);
    const state = await ledgerState(key.accountId);
    expect(state.balance).toBe(1_000_000 - 10 * EVENT_COST);
    expect(state.ledgerSum).toBe(state.balance);
    expect(await dbCount('SELECT SUM(requests) AS n FROM usage_daily WHERE key_id = ?1', key.id)).toBe(10);
  });

  it('settles reservations through the account object: D1 holds none, balance = sum(ledger) throughout', async () => {
    const key = await prepaidKey(1_000_000);
    const authenticated = { id: key.id, accountId: key.accountId, billing: 'prepaid' } as AuthenticatedKey;
    const balance = accountBalanceOf(env, key.accountId);
    const now = Date.now();
    const holds = await Promise.all(
      Array.from({ length: 5 }, (_, index) => reserveSpend(env, authenticated, { requestId: `req_hold_${key.id}_${index}`, model: MODEL, inputTokens: 1000, now })),
    );
    expect(holds.every((hold) => hold !== undefined)).toBe(true);
    expect((await balance.status({ accountId: key.accountId })).openHolds).toBe(5);
    expect(await ledgerState(key.accountId)).toEqual({ balance: 1_000_000, ledgerSum: 1_000_000, charges: 0 });
    // Four requests answer; the fifth ends without a usage event and is released by the relay.
    await consume(holds.slice(0, 4).map((hold) => ({ ...eventFor(key, now), requestId: hold?.requestId ?? '' })));
    await releaseSpendHold(env, holds[4]);
    await releaseSpendHold(env, holds[4]);
    expect(await ledgerState(key.accountId)).toEqual({ balance: 1_000_000 - 4 * EVENT_COST, ledgerSum: 1_000_000 - 4 * EVENT_COST, charges: 1 });
    expect(await balance.status({ accountId: key.accountId })).toEqual({ balanceMicros: 1_000_000 - 4 * EVENT_COST, heldMicros: 0, openHolds: 0 });
    expect(await dbCount('SELECT COUNT(*) AS n FROM ledger WHERE account_id = ?1', key.accountId)).toBe(2);
    expect(await dbCount("SELECT COUNT(*) AS n FROM accounts WHERE id = ?1 AND typeof(balance_micros) = 'integer'", key.accountId)).toBe(1);
  });
});

describe('packed usage messages', () => {
  it('packs events up to PACK_BYTES per message and the consumer takes packs and single events alike', async () => {
    const key = await prepaidKey(100_000_000);
    const now = Date.now();
    const events = Array.from({ length: 400 }, (_, index) => eventFor(key, now - index));
    const packs = packUsageEvents(events);
    expect(packs.length).toBeGreaterThan(1);
    for (const pack of packs) expect(new TextEncoder().encode(JSON.stringify(pack.events)).byteLength).toBeLessThanOrEqual(PACK_BYTES + pack.events.length);
    expect(packs.flatMap((pack) => pack.events)).toEqual(events);
    const single = eventFor(key, now - 1_000);
    expect(await consume([...packs, single])).toEqual({ acked: packs.length + 1, retried: 0 });
    expect(await dbCount('SELECT SUM(requests) AS n FROM usage_daily WHERE key_id = ?1', key.id)).toBe(401);
    expect((await ledgerState(key.accountId)).balance).toBe(100_000_000 - 401 * EVENT_COST);
  });

  it('retries only the pack that fails, and its redelivery counts once', async () => {
    const key = await prepaidKey(1_000_000);
    const now = Date.now();
    const good = [eventFor(key, now), eventFor(key, now - 1)];
    const broken = [eventFor(key, now - 2), { ...eventFor(key, now - 3), model: null as unknown as string }];
    expect(await consume([{ events: good }, { events: broken }])).toEqual({ acked: 1, retried: 1 });
    const fixed = broken.map((event) => ({ ...event, model: MODEL }));
    expect(await consume([{ events: good }, { events: fixed }], 2)).toEqual({ acked: 2, retried: 0 });
    expect(await dbCount('SELECT SUM(requests) AS n FROM usage_daily WHERE key_id = ?1', key.id)).toBe(4);
    expect(await ledgerState(key.accountId)).toEqual({ balance: 1_000_000 - 4 * EVENT_COST, ledgerSum: 1_000_000 - 4 * EVENT_COST, charges: 1 });
  });
});
