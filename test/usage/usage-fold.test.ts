import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuthenticatedKey } from '../../src/auth/key-record';
import { configOf, type Env } from '../../src/env';
import { accountBalanceOf, type AccountBalance } from '../../src/usage/account-balance';
import { consumeUsageBatch, foldPendingUsage } from '../../src/usage/consumer';
import type { UsageEvent } from '../../src/usage/event';
import { applyLedgerEntry } from '../../src/usage/ledger';
import { pruneUsageEvents } from '../../src/usage/retention';
import { reserveSpend } from '../../src/usage/spend-hold';
import { foldUsage } from '../../src/usage/usage-fold';
import type { UsageMessageBody } from '../../src/usage/usage-message';
import { usageWriteStatements } from '../../src/usage/usage-statements';
import { createKey, type CreatedKey } from '../setup/seed';
import { dbCount, ledgerState, setPrice, usageEvent } from './harness';

const MODEL = 'fold-model';
// $2 / 1M input, $8 / 1M output: 1,000 in + 500 out = 6,000 micro-dollars.
const EVENT_COST = 6_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

/** The relay as deployed: folds at most once a minute (wrangler.toml's USAGE_FOLD_SECONDS). */
const deployed = { ...env, USAGE_FOLD_SECONDS: '60' } as Env;

let sequence = 0;
const consume = async (relayEnv: Env, events: readonly UsageEvent[], attempts = 1) => {
  const batch = createMessageBatch<UsageMessageBody>('polyrelay-usage', [{ id: `fold_${sequence++}`, timestamp: new Date(), attempts, body: { events: [...events] } }]);
  await consumeUsageBatch(batch, relayEnv);
  const result = await getQueueResult(batch, createExecutionContext());
  expect(result.explicitAcks.length).toBe(1);
};

/** As if a fold had just run: the next one is due a minute from now. */
const foldJustRan = () => env.DB.prepare('UPDATE usage_fold SET folded_at = ?1 WHERE id = 1').bind(Date.now()).run();

const prepaidKey = async (balance: number): Promise<CreatedKey> => {
  const key = await createKey({ billing: 'prepaid' });
  await applyLedgerEntry(env, { accountId: key.accountId, kind: 'topup', source: 'topup', amountMicros: balance, reference: `t_${key.id}`, now: Date.now() });
  return key;
};

const eventsFor = (key: CreatedKey, count: number, createdAt: number): UsageEvent[] =>
  Array.from({ length: count }, (_, index) =>
    usageEvent({ accountId: key.accountId, keyId: key.id, model: MODEL, billing: 'prepaid', createdAt: createdAt + index }),
  );

const rolledUp = (keyId: string) => dbCount('SELECT COALESCE(SUM(requests), 0) AS n FROM usage_daily WHERE key_id = ?1', keyId);
const written = (keyId: string) => dbCount('SELECT COUNT(*) AS n FROM usage_events WHERE key_id = ?1', keyId);

beforeAll(async () => {
  await setPrice(MODEL, 2_000_000, 8_000_000);
});

describe('usage fold (USAGE_FOLD_SECONDS)', () => {
  it('reads USAGE_FOLD_SECONDS: 60 unless set, 0 in the test config', () => {
    expect(configOf({ ...env, USAGE_FOLD_SECONDS: undefined } as Env).usageFoldMs).toBe(60_000);
    expect(configOf(deployed).usageFoldMs).toBe(60_000);
    expect(configOf(env).usageFoldMs).toBe(0);
  });

  it('folds each event exactly once across concurrent batches, a fold between them, commits out of order and redeliveries', async () => {
    const key = await prepaidKey(10_000_000);
    const now = Date.now();
    const early = eventsFor(key, 30, now - 20 * MINUTE);
    const late = eventsFor(key, 20, now - MINUTE);
    const later = eventsFor(key, 10, now - 2 * MINUTE);
    await foldJustRan();

    // Two consumer invocations at once, the newer events first: only event rows are written.
    await Promise.all([consume(deployed, late), consume(deployed, early)]);
    expect(await written(key.id)).toBe(50);
    expect(await rolledUp(key.id)).toBe(0);
    expect(await ledgerState(key.accountId)).toEqual({ balance: 10_000_000, ledgerSum: 10_000_000, charges: 0 });

    // The cron's fold races a third batch and a redelivery of the second: whichever commits first,
    // the watermark covers exactly what committed before it.
    await Promise.all([foldPendingUsage(deployed, Date.now() + MINUTE), consume(deployed, later), consume(deployed, early, 2)]);
    expect(await written(key.id)).toBe(60);
    expect([50, 60]).toContain(await rolledUp(key.id));

    // A fold that is not due yet does nothing; the next one does, and counts nothing twice.
    expect(await foldUsage(env, { now: Date.now(), intervalMs: 10 * MINUTE })).toEqual([]);
    await consume(deployed, late, 3);
    await foldUsage(env, { now: Date.now() + 2 * MINUTE, intervalMs: MINUTE });
    expect(await rolledUp(key.id)).toBe(60);
    const state = await ledgerState(key.accountId);
    expect(state.balance).toBe(10_000_000 - 60 * EVENT_COST);
    expect(state.ledgerSum).toBe(state.balance);
    expect(await dbCount("SELECT COALESCE(SUM(-amount_micros), 0) AS n FROM ledger WHERE account_id = ?1 AND kind = 'charge'", key.accountId)).toBe(60 * EVENT_COST);
    expect(await dbCount('SELECT COUNT(*) AS n FROM usage_fold WHERE folded = seq AND pending_from IS NULL')).toBe(1);
  });

  it('folds in the consumer batch itself once the interval has passed', async () => {
    const key = await prepaidKey(1_000_000);
    await env.DB.prepare('UPDATE usage_fold SET folded_at = ?1 WHERE id = 1').bind(Date.now() - 2 * MINUTE).run();
    await consume(deployed, eventsFor(key, 5, Date.now()));
    expect(await rolledUp(key.id)).toBe(5);
    expect((await ledgerState(key.accountId)).balance).toBe(1_000_000 - 5 * EVENT_COST);
  });

  it('keeps a prepaid hold open until its event is folded into the balance, so the money is never freed twice', async () => {
    const key = await prepaidKey(1_000_000);
    const authenticated = { id: key.id, accountId: key.accountId, billing: 'prepaid' } as AuthenticatedKey;
    const now = Date.now();
    const hold = await reserveSpend(env, authenticated, { requestId: `req_fold_hold_${key.id}`, model: MODEL, inputTokens: 1_000, now });
    const balance = accountBalanceOf(env, key.accountId);
    const opened = await balance.status({ accountId: key.accountId });
    expect(opened.openHolds).toBe(1);

    await foldJustRan();
    const [event] = eventsFor(key, 1, now);
    await consume(deployed, [{ ...(event as UsageEvent), requestId: hold?.requestId ?? '' }]);
    expect(await written(key.id)).toBe(1);
    // Written, not folded: the balance does not have the charge yet, so the hold still counts.
    expect(await balance.status({ accountId: key.accountId })).toEqual(opened);

    const storedHolds = () => runInDurableObject(balance, (_instance: AccountBalance, state) => state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM hold').one().n);
    expect(await storedHolds()).toBe(1);

    await foldUsage(env, { now: Date.now() + 2 * MINUTE, intervalMs: MINUTE });
    expect(await balance.status({ accountId: key.accountId })).toEqual({ balanceMicros: 1_000_000 - EVENT_COST, heldMicros: 0, openHolds: 0 });
    expect(await storedHolds()).toBe(0);
  });

  it('looks up a hold that was not open at the last reading even when the watermark has not moved since', async () => {
    const key = await prepaidKey(1_000_000);
    const authenticated = { id: key.id, accountId: key.accountId, billing: 'prepaid' } as AuthenticatedKey;
    const balance = accountBalanceOf(env, key.accountId);
    const now = Date.now();
    const reserve = (requestId: string) => reserveSpend(env, authenticated, { requestId, model: MODEL, inputTokens: 1_000, now });
    await reserve(`req_fold_first_${key.id}`);
    // A request whose event is written and folded before its hold is seen by a reading (a slow read, a direct write).
    const [event] = eventsFor(key, 1, now);
    await consume(env, [{ ...(event as UsageEvent), requestId: `req_fold_second_${key.id}` }]);
    expect((await balance.status({ accountId: key.accountId })).openHolds).toBe(1);
    await reserve(`req_fold_second_${key.id}`);
    // The watermark is where the last reading saw it, but the new hold is looked up and found settled.
    expect(await balance.status({ accountId: key.accountId })).toMatchObject({ balanceMicros: 1_000_000 - EVENT_COST, openHolds: 1 });
  });

  it('never moves an unfolded event to the archive, and moves it once folded', async () => {
    const start = Date.UTC(2019, 5, 3, 12);
    const events = Array.from({ length: 8 }, (_, index) => usageEvent({ createdAt: start + index * 1_000, billing: 'subscription' }));
    await env.DB.batch(usageWriteStatements(env.DB, events, new Map()));
    const inEra = () => dbCount('SELECT COUNT(*) AS n FROM usage_events WHERE created_at >= ?1 AND created_at < ?2', start, start + DAY);
    const archived = async () => (await env.USAGE_ARCHIVE.list({ prefix: 'usage/2019/06/03/' })).objects.length;

    await pruneUsageEvents(env, Date.now());
    expect(await inEra()).toBe(8);
    expect(await archived()).toBe(0);

    await foldUsage(env, { now: Date.now(), intervalMs: 0 });
    expect(await dbCount("SELECT COALESCE(SUM(requests), 0) AS n FROM usage_daily WHERE day = '2019-06-03'")).toBe(8);
    await pruneUsageEvents(env, Date.now());
    expect(await inEra()).toBe(0);
    expect(await archived()).toBe(1);
  });
});
