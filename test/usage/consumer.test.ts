import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyLedgerEntry } from '../../src/usage/ledger';
import { consumeUsageBatch } from '../../src/usage/consumer';
import type { UsageEvent } from '../../src/usage/event';
import { createKey, type CreatedKey } from '../setup/seed';
import { dbCount, ledgerState, setPrice, usageEvent } from './harness';

const MODEL = 'consumer-model';
// $2 / 1M input, $8 / 1M output: 1,000 in + 500 out = 2,000 + 4,000 = 6,000 micro-dollars.
const EVENT_COST = 6_000;

let messageSequence = 0;
const batchOf = (events: readonly UsageEvent[], attempts = 1) =>
  createMessageBatch<UsageEvent>(
    'polyrelay-usage',
    events.map((body) => ({ id: `msg_${messageSequence++}`, timestamp: new Date(), attempts, body })),
  );

const consume = async (events: readonly UsageEvent[], attempts = 1) => {
  const batch = batchOf(events, attempts);
  const ctx = createExecutionContext();
  await consumeUsageBatch(batch, env);
  const result = await getQueueResult(batch, ctx);
  const ids = batch.messages.map((message) => message.id);
  return { ids, acked: result.explicitAcks, retried: result.retryMessages.map((retry) => retry.msgId) };
};

const prepaidEvent = (key: CreatedKey, overrides: Partial<UsageEvent> = {}): UsageEvent =>
  usageEvent({ accountId: key.accountId, keyId: key.id, model: MODEL, billing: 'prepaid', ...overrides });

const rollup = (keyId: string) =>
  env.DB.prepare('SELECT SUM(requests) AS requests, SUM(input_tokens) AS input, SUM(cost_micros) AS cost FROM usage_daily WHERE key_id = ?1')
    .bind(keyId)
    .first<{ requests: number; input: number; cost: number }>();

const topUp = (accountId: string, micros: number, reference: string) =>
  applyLedgerEntry(env, { accountId, kind: 'topup', source: 'topup', amountMicros: micros, reference, now: Date.now() });

/** Usage charges are one ledger row per account per hour: the rows a set of one account's events makes. */
const hourRows = (events: readonly UsageEvent[]): number => new Set(events.map((event) => Math.floor(event.createdAt / 3_600_000))).size;

describe('usage consumer', () => {
  beforeAll(() => setPrice(MODEL, 2_000_000, 8_000_000));

  it('counts a message delivered twice in one batch once, and debits it once', async () => {
    const key = await createKey({ billing: 'prepaid' });
    await topUp(key.accountId, 1_000_000, `t_${key.id}`);
    const event = prepaidEvent(key);
    const { ids, acked, retried } = await consume([event, event]);
    expect(acked.sort()).toEqual(ids.sort());
    expect(retried).toEqual([]);
    expect(await dbCount('SELECT COUNT(*) AS n FROM usage_events WHERE key_id = ?1', key.id)).toBe(1);
    expect(await rollup(key.id)).toEqual({ requests: 1, input: 1000, cost: EVENT_COST });
    expect(await ledgerState(key.accountId)).toEqual({ balance: 1_000_000 - EVENT_COST, ledgerSum: 1_000_000 - EVENT_COST, charges: 1 });
  });

  it('counts a batch redelivered after it committed once', async () => {
    const key = await createKey({ billing: 'prepaid' });
    await topUp(key.accountId, 1_000_000, `t_${key.id}`);
    const events = Array.from({ length: 20 }, () => prepaidEvent(key));
    await consume(events);
    const again = await consume(events, 2);
    expect(again.acked.sort()).toEqual(again.ids.sort());
    expect(await rollup(key.id)).toEqual({ requests: 20, input: 20_000, cost: 20 * EVENT_COST });
    expect(await ledgerState(key.accountId)).toEqual({ balance: 1_000_000 - 20 * EVENT_COST, ledgerSum: 1_000_000 - 20 * EVENT_COST, charges: hourRows(events) });
  });

  it('acks the good messages and retries only the bad one when part of a batch fails', async () => {
    const key = await createKey({ billing: 'prepaid' });
    await topUp(key.accountId, 1_000_000, `t_${key.id}`);
    const good = [prepaidEvent(key), prepaidEvent(key)];
    // A null model breaks the NOT NULL constraint: that event's transaction fails, and so does the batch-wide one.
    const bad = prepaidEvent(key, { model: null as unknown as string });
    const malformed = null as unknown as UsageEvent;
    const first = await consume([good[0] as UsageEvent, bad, malformed, good[1] as UsageEvent]);
    expect(first.acked.sort()).toEqual([first.ids[0], first.ids[3]].sort());
    expect(first.retried.sort()).toEqual([first.ids[1], first.ids[2]].sort());
    expect(await rollup(key.id)).toEqual({ requests: 2, input: 2000, cost: 2 * EVENT_COST });

    // The whole batch comes back (as it would after a crash), the bad event now well-formed.
    const second = await consume([...good, { ...bad, model: MODEL }], 2);
    expect(second.acked.sort()).toEqual(second.ids.sort());
    expect(await rollup(key.id)).toEqual({ requests: 3, input: 3000, cost: 3 * EVENT_COST });
    expect(await ledgerState(key.accountId)).toMatchObject({ balance: 1_000_000 - 3 * EVENT_COST, ledgerSum: 1_000_000 - 3 * EVENT_COST, charges: hourRows([...good, bad]) });
  });

  it('records an aborted stream as aborted, with the tokens seen and their cost', async () => {
    const key = await createKey({ billing: 'prepaid' });
    const event = prepaidEvent(key, {
      stream: true,
      aborted: true,
      status: 200,
      usage: { inputTokens: 1000, outputTokens: 37, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    });
    await consume([event]);
    const row = await env.DB.prepare('SELECT stream, aborted, output_tokens, cost_micros FROM usage_events WHERE request_id = ?1')
      .bind(event.requestId)
      .first();
    // 1,000 × 2 + 37 × 8 = 2,296 micro-dollars: output is billed for what was streamed before the abort.
    expect(row).toEqual({ stream: 1, aborted: 1, output_tokens: 37, cost_micros: 2_296 });
    expect(await ledgerState(key.accountId)).toMatchObject({ balance: -2_296, ledgerSum: -2_296, charges: 1 });
  });

  it('debits prepaid keys only, reading the key mode when an event carries none', async () => {
    const subscription = await createKey();
    const prepaid = await createKey({ billing: 'prepaid' });
    await consume([
      usageEvent({ accountId: subscription.accountId, keyId: subscription.id, model: MODEL, billing: 'subscription' }),
      usageEvent({ accountId: subscription.accountId, keyId: subscription.id, model: MODEL }),
      usageEvent({ accountId: prepaid.accountId, keyId: prepaid.id, model: MODEL }),
      usageEvent({ accountId: prepaid.accountId, keyId: prepaid.id, model: 'unpriced-model', billing: 'prepaid' }),
    ]);
    expect(await ledgerState(subscription.accountId)).toEqual({ balance: 0, ledgerSum: 0, charges: 0 });
    // The unpriced model costs nothing and leaves no zero-amount ledger row.
    expect(await ledgerState(prepaid.accountId)).toEqual({ balance: -EVENT_COST, ledgerSum: -EVENT_COST, charges: 1 });
    expect(await dbCount('SELECT COUNT(*) AS n FROM usage_events WHERE key_id IN (?1, ?2)', subscription.id, prepaid.id)).toBe(4);
  });

  it('never loses money under 500 concurrent charges, redeliveries and top-ups: balance = sum(ledger)', async () => {
    const key = await createKey({ billing: 'prepaid' });
    const events = Array.from({ length: 500 }, () => prepaidEvent(key));
    const batches = Array.from({ length: 5 }, (_, index) => events.slice(index * 100, index * 100 + 100));
    await Promise.all([
      ...batches.map((batch) => consume(batch)),
      ...batches.map((batch) => consume(batch, 2)),
      ...Array.from({ length: 50 }, (_, index) => topUp(key.accountId, 100_000, `t_${key.id}_${index}`)),
      ...Array.from({ length: 50 }, (_, index) => topUp(key.accountId, 100_000, `t_${key.id}_${index}`)),
    ]);
    const expected = 50 * 100_000 - 500 * EVENT_COST;
    expect(await ledgerState(key.accountId)).toEqual({ balance: expected, ledgerSum: expected, charges: hourRows(events) });
    expect(await rollup(key.id)).toEqual({ requests: 500, input: 500_000, cost: 500 * EVENT_COST });
  });

  it.each(['prepaid', 'subscription'] as const)('sustains a measurable event rate into local D1 (%s)', async (billing) => {
    const key = await createKey({ billing });
    const total = 5_000;
    const events = Array.from({ length: total }, () => usageEvent({ accountId: key.accountId, keyId: key.id, model: MODEL, billing }));
    const started = performance.now();
    for (let offset = 0; offset < total; offset += 100) await consume(events.slice(offset, offset + 100));
    const seconds = (performance.now() - started) / 1000;
    console.log(`[figure] usage consumer (${billing}): ${total} events in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} events/s, batches of 100`);
    expect(await dbCount('SELECT COUNT(*) AS n FROM usage_events WHERE key_id = ?1', key.id)).toBe(total);
  });
});
