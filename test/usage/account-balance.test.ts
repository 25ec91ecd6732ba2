import { createExecutionContext, createMessageBatch, evictDurableObject, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuthenticatedKey } from '../../src/auth/key-record';
import { RelayError } from '../../src/errors';
import { accountBalanceOf } from '../../src/usage/account-balance';
import { STALE_HOLD_MS } from '../../src/usage/balance-readings';
import { consumeUsageBatch } from '../../src/usage/consumer';
import { applyLedgerEntry } from '../../src/usage/ledger';
import { HOLD_OUTPUT_TOKENS, releaseSpendHold, reserveSpend } from '../../src/usage/spend-hold';
import type { UsageMessageBody } from '../../src/usage/usage-message';
import { createKey, type CreatedKey } from '../setup/seed';
import { dbCount, ledgerState, setPrice, usageEvent } from './harness';

const MODEL = 'balance-object-model';
// $2 / 1M input, $8 / 1M output: a reservation for 1,000 input tokens is 2,000 + 4,096 × 8 = 34,768 micro-dollars.
const ESTIMATE = Math.ceil((1_000 * 2_000_000 + HOLD_OUTPUT_TOKENS * 8_000_000) / 1_000_000);
// 1,000 in + 500 out, as usageEvent() reports.
const EVENT_COST = 6_000;

let sequence = 0;
const consume = async (bodies: readonly UsageMessageBody[]) => {
  const batch = createMessageBatch<UsageMessageBody>(
    'polyrelay-usage',
    bodies.map((body) => ({ id: `bal_${sequence++}`, timestamp: new Date(), attempts: 1, body })),
  );
  await consumeUsageBatch(batch, env);
  return getQueueResult(batch, createExecutionContext());
};

const prepaidKey = async (balance: number): Promise<{ created: CreatedKey; key: AuthenticatedKey }> => {
  const created = await createKey({ billing: 'prepaid' });
  if (balance > 0) {
    await applyLedgerEntry(env, { accountId: created.accountId, kind: 'topup', source: 'topup', amountMicros: balance, reference: `t_${created.id}`, now: Date.now() });
  }
  return { created, key: { id: created.id, accountId: created.accountId, billing: 'prepaid' } as AuthenticatedKey };
};

const reserve = (key: AuthenticatedKey, requestId: string, now = Date.now()) => reserveSpend(env, key, { requestId, model: MODEL, inputTokens: 1_000, now });

const status = (accountId: string) => accountBalanceOf(env, accountId).status({ accountId });

beforeAll(async () => {
  await setPrice(MODEL, 2_000_000, 8_000_000);
});

describe('AccountBalance: prepaid reservations outside D1', () => {
  it('reserves without writing D1, and the usage event settles the hold with its hourly charge', async () => {
    const { created, key } = await prepaidKey(1_000_000);
    const now = Date.now();
    const hold = await reserve(key, `req_settle_${created.id}`, now);
    expect(hold).toBeDefined();
    expect(await dbCount('SELECT COUNT(*) AS n FROM ledger WHERE account_id = ?1', created.accountId)).toBe(1);
    expect((await ledgerState(created.accountId)).balance).toBe(1_000_000);
    expect(await status(created.accountId)).toEqual({ balanceMicros: 1_000_000, heldMicros: ESTIMATE, openHolds: 1 });

    const event = usageEvent({ requestId: hold?.requestId ?? '', accountId: created.accountId, keyId: created.id, model: MODEL, billing: 'prepaid', createdAt: now });
    await consume([event]);
    // A redelivery writes nothing and settles nothing twice.
    await consume([event]);
    expect(await status(created.accountId)).toEqual({ balanceMicros: 1_000_000 - EVENT_COST, heldMicros: 0, openHolds: 0 });
    expect(await ledgerState(created.accountId)).toEqual({ balance: 1_000_000 - EVENT_COST, ledgerSum: 1_000_000 - EVENT_COST, charges: 1 });
  });

  it('serialises 50 concurrent reservations on a $0.01 balance: one holds it all, the rest are refused', async () => {
    const { created, key } = await prepaidKey(10_000);
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, index) => reserve(key, `req_race_${created.id}_${index}`)));
    const held = outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value !== undefined);
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    expect(held).toHaveLength(1);
    expect(refused).toHaveLength(49);
    for (const reason of refused) expect(reason).toMatchObject({ kind: 'insufficient_quota', status: 402 });
    expect(await status(created.accountId)).toEqual({ balanceMicros: 10_000, heldMicros: 10_000, openHolds: 1 });
  });

  it('frees a small balance as soon as the request reports its cost, before D1 writes the charge', async () => {
    const { created, key } = await prepaidKey(10_000);
    const first = await reserve(key, `req_first_${created.id}`);
    await expect(reserve(key, `req_blocked_${created.id}`)).rejects.toBeInstanceOf(RelayError);
    await accountBalanceOf(env, created.accountId).settleCost({ requestId: first?.requestId ?? '', costMicros: 1_500 });
    expect(await reserve(key, `req_second_${created.id}`)).toBeDefined();
    expect(await status(created.accountId)).toEqual({ balanceMicros: 10_000, heldMicros: 10_000, openHolds: 2 });
  });

  it('sees a top-up written to D1 at once: a refusal is only decided on a reading taken after the request arrived', async () => {
    const { created, key } = await prepaidKey(0);
    await expect(reserve(key, `req_broke_${created.id}`)).rejects.toMatchObject({ status: 402 });
    await applyLedgerEntry(env, { accountId: created.accountId, kind: 'topup', source: 'topup', amountMicros: 100_000, reference: `late_${created.id}`, now: Date.now() });
    expect(await reserve(key, `req_funded_${created.id}`)).toBeDefined();
  });

  it('returns a released hold once, and stops counting a hold nothing settled after STALE_HOLD_MS', async () => {
    const { created, key } = await prepaidKey(1_000_000);
    const released = await reserve(key, `req_released_${created.id}`);
    await releaseSpendHold(env, released);
    await releaseSpendHold(env, released);
    const now = Date.now();
    await reserve(key, `req_crashed_${created.id}`, now - STALE_HOLD_MS - 1);
    await reserve(key, `req_running_${created.id}`, now);
    expect(await status(created.accountId)).toEqual({ balanceMicros: 1_000_000, heldMicros: ESTIMATE, openHolds: 1 });
  });

  it('still counts its holds after the object is restarted', async () => {
    const { created, key } = await prepaidKey(50_000);
    expect(await reserve(key, `req_before_restart_${created.id}`)).toBeDefined();
    await evictDurableObject(accountBalanceOf(env, created.accountId));
    expect(await status(created.accountId)).toEqual({ balanceMicros: 50_000, heldMicros: ESTIMATE, openHolds: 1 });
    const second = await reserve(key, `req_after_restart_${created.id}`);
    expect(second).toBeDefined();
    expect((await status(created.accountId)).heldMicros).toBe(50_000);
  });
});
