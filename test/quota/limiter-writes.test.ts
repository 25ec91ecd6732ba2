import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { QuotaLimits } from '../../src/auth/key-record';
import type { QuotaLimiter } from '../../src/quota/quota-limiter';
import { DAY_MS, MINUTE_MS } from '../../src/quota/windows';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const NO_LIMITS: QuotaLimits = {
  requestsPer5h: null,
  requestsPerWeek: null,
  requestsPerMinute: null,
  maxConcurrent: null,
  tokensPerMinute: null,
  tokensPerDay: null,
};
const FREE: QuotaLimits = { ...NO_LIMITS, requestsPer5h: 40, requestsPerWeek: 200 };

const freshLimiter = (): DurableObjectStub<QuotaLimiter> => env.QUOTA.get(env.QUOTA.idFromName(`key_${crypto.randomUUID()}`));

/**
 * Runs `work` inside the object and counts what it stores: SQL rows written (every cursor's rowsWritten,
 * as the platform bills them) and alarms set. Ends with the object's own alarm run, so whatever was
 * held behind is written and counted too.
 */
const countWrites = (stub: DurableObjectStub<QuotaLimiter>, work: (limiter: QuotaLimiter) => void) =>
  runInDurableObject(stub, async (instance: QuotaLimiter, state) => {
    const sql = state.storage.sql;
    const exec = sql.exec.bind(sql);
    const setAlarm = state.storage.setAlarm.bind(state.storage);
    const counts = { rows: 0, alarms: 0 };
    sql.exec = ((query: string, ...bindings: unknown[]) => {
      const cursor = exec(query, ...bindings);
      cursor.toArray();
      counts.rows += cursor.rowsWritten;
      return cursor;
    }) as typeof sql.exec;
    state.storage.setAlarm = ((...args: Parameters<typeof setAlarm>) => {
      counts.alarms += 1;
      return setAlarm(...args);
    }) as typeof setAlarm;
    try {
      work(instance);
      await instance.alarm();
    } finally {
      sql.exec = exec;
      state.storage.setAlarm = setAlarm;
    }
    return counts;
  });

describe('QuotaLimiter writes behind', () => {
  it('stays exact over 1,000 admissions of a hot key in two seconds and writes a handful of rows for all of them', async () => {
    const stub = freshLimiter();
    const limits: QuotaLimits = { ...NO_LIMITS, requestsPer5h: 700, requestsPerWeek: 5_000, requestsPerMinute: 2_000, maxConcurrent: 800, tokensPerMinute: 10_000_000 };
    let allowed = 0;
    const written = await countWrites(stub, (limiter) => {
      for (let index = 0; index < 1_000; index++) {
        const now = T0 + index * 2;
        const verdict = limiter.admit({ limits, now, countsTowardQuota: true });
        if (!verdict.allowed) continue;
        allowed++;
        limiter.release({ leaseId: verdict.leaseId ?? '', charge: { tokens: 50, limits, now } });
      }
    });
    expect(allowed).toBe(700);
    expect((await stub.status({ limits, now: T0 + 2_000, countsTowardQuota: true })).tokenMinute.used).toBe(35_000);
    // The windows opening (1 row), the 5-hour window filling up (1 row) and the write behind (1 row), one alarm.
    expect(written).toEqual({ rows: 3, alarms: 1 });
    expect((written.rows + written.alarms) / allowed).toBeLessThan(0.01);
  });

  it('writes a window opening and a window filling up at once, and the counts between them behind', async () => {
    const stub = freshLimiter();
    for (let index = 0; index < 3; index++) await stub.admit({ limits: FREE, now: T0 + index, countsTowardQuota: true });
    // A restart before the write behind (its alarm dropped here, as a crash would) forgets the two
    // admissions after the first, never the window itself.
    await runInDurableObject(stub, (_instance: QuotaLimiter, state) => state.storage.deleteAlarm());
    await evictDurableObject(stub);
    expect((await stub.status({ limits: FREE, now: T0 + 3, countsTowardQuota: true })).fiveHour).toMatchObject({ used: 1, reset: T0 + 5 * 60 * MINUTE_MS });
    for (let index = 0; index < 39; index++) await stub.admit({ limits: FREE, now: T0 + 10 + index, countsTowardQuota: true });
    await evictDurableObject(stub);
    const refused = await stub.admit({ limits: FREE, now: T0 + 100, countsTowardQuota: true });
    expect(refused).toMatchObject({ allowed: false, reason: '5h', fiveHour: { used: 40 } });
  });

  it('stores a lease only if it is still held when the state is written, and keeps it across an eviction', async () => {
    const stub = freshLimiter();
    const limits: QuotaLimits = { ...NO_LIMITS, maxConcurrent: 2 };
    // Stored leases past their expiry by the object's own clock are pruned, so this test keeps real time.
    const now = Date.now();
    let held = '';
    const written = await countWrites(stub, (limiter) => {
      const quick = limiter.admit({ limits, now, countsTowardQuota: false });
      limiter.release({ leaseId: quick.leaseId ?? '' });
      held = limiter.admit({ limits, now, countsTowardQuota: false }).leaseId ?? '';
    });
    expect(written.rows).toBe(1);
    await evictDurableObject(stub);
    expect((await stub.status({ limits, now: now + 1, countsTowardQuota: false })).concurrency).toEqual({ limit: 2, active: 1 });
    expect(await stub.release({ leaseId: held })).toBe(true);
    await evictDurableObject(stub);
    expect((await stub.status({ limits, now: now + 2, countsTowardQuota: false })).concurrency.active).toBe(0);
  });
});

describe('QuotaLimiter token limits', () => {
  const perMinute: QuotaLimits = { ...NO_LIMITS, tokensPerMinute: 1_000 };

  it('admits while the minute has tokens left, refuses once they are used up, and admits again when the window ends', async () => {
    const stub = freshLimiter();
    const first = await stub.admit({ limits: perMinute, now: T0, countsTowardQuota: true });
    expect(first).toMatchObject({ allowed: true, tokenMinute: { limit: 1_000, used: 0, remaining: 1_000, reset: T0 + MINUTE_MS, open: true } });
    await stub.release({ charge: { tokens: 600, limits: perMinute, now: T0 + 1_000 } });
    // 600 of 1,000 used: the next request may still go, and its 600 tokens cross the limit.
    expect(await stub.admit({ limits: perMinute, now: T0 + 2_000, countsTowardQuota: true })).toMatchObject({ allowed: true, tokenMinute: { remaining: 400 } });
    await stub.release({ charge: { tokens: 600, limits: perMinute, now: T0 + 3_000 } });
    const refused = await stub.admit({ limits: perMinute, now: T0 + 30_000, countsTowardQuota: true });
    expect(refused).toMatchObject({ allowed: false, reason: 'tokenMinute', retryAfterSeconds: 30, tokenMinute: { used: 1_200, remaining: 0 } });
    expect(await stub.admit({ limits: perMinute, now: T0 + MINUTE_MS, countsTowardQuota: true })).toMatchObject({
      allowed: true,
      tokenMinute: { used: 0, reset: T0 + 2 * MINUTE_MS },
    });
  });

  it('holds a daily token limit for 24 hours from the first request, prepaid keys included', async () => {
    const stub = freshLimiter();
    const perDay: QuotaLimits = { ...NO_LIMITS, tokensPerDay: 5_000 };
    await stub.admit({ limits: perDay, now: T0, countsTowardQuota: false });
    await stub.release({ charge: { tokens: 5_000, limits: perDay, now: T0 + 10 } });
    const refused = await stub.admit({ limits: perDay, now: T0 + 12 * 60 * MINUTE_MS, countsTowardQuota: false });
    expect(refused).toMatchObject({ allowed: false, reason: 'tokenDay', retryAfterSeconds: 12 * 60 * 60, tokenDay: { reset: T0 + DAY_MS } });
    expect((await stub.admit({ limits: perDay, now: T0 + DAY_MS, countsTowardQuota: false })).allowed).toBe(true);
  });

  it('writes the token count at once when it reaches the limit, so a restart keeps the key out', async () => {
    const stub = freshLimiter();
    await stub.admit({ limits: perMinute, now: T0, countsTowardQuota: true });
    await stub.release({ charge: { tokens: 300, limits: perMinute, now: T0 + 1 } });
    await stub.release({ charge: { tokens: 800, limits: perMinute, now: T0 + 2 } });
    await evictDurableObject(stub);
    expect(await stub.admit({ limits: perMinute, now: T0 + 3, countsTowardQuota: true })).toMatchObject({ allowed: false, reason: 'tokenMinute' });
  });

  it('keeps token counts across an eviction once written behind', async () => {
    const stub = freshLimiter();
    await stub.admit({ limits: perMinute, now: T0, countsTowardQuota: true });
    await stub.release({ charge: { tokens: 250, limits: perMinute, now: T0 + 1 } });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await evictDurableObject(stub);
    expect((await stub.status({ limits: perMinute, now: T0 + 2, countsTowardQuota: true })).tokenMinute).toMatchObject({ used: 250, remaining: 750 });
  });

  it('counts the tokens of a refunded request but gives the request back', async () => {
    const stub = freshLimiter();
    const limits: QuotaLimits = { ...FREE, tokensPerMinute: 1_000 };
    const verdict = await stub.admit({ limits, now: T0, countsTowardQuota: true });
    expect(await stub.refund({ admissionId: verdict.admissionId, now: T0 + 1, charge: { tokens: 400, limits, now: T0 + 1 } })).toBe(true);
    expect(await stub.status({ limits, now: T0 + 2, countsTowardQuota: true })).toMatchObject({ fiveHour: { used: 0 }, tokenMinute: { used: 400 } });
  });

  it('writes nothing for a release without tokens or lease, and nothing more for a key without token limits', async () => {
    const stub = freshLimiter();
    const burst: QuotaLimits = { ...NO_LIMITS, requestsPerMinute: 100 };
    for (let index = 0; index < 50; index++) await stub.admit({ limits: burst, now: T0 + index, countsTowardQuota: true });
    await runDurableObjectAlarm(stub);
    const written = await countWrites(stub, (limiter) => {
      for (let index = 0; index < 50; index++) limiter.release({});
    });
    expect(written).toEqual({ rows: 0, alarms: 0 });
    const state = await runInDurableObject(stub, (_instance: QuotaLimiter, storage) =>
      storage.storage.sql
        .exec<{ minute_count: number; token_minute_start: number | null; token_day_start: number | null }>('SELECT minute_count, token_minute_start, token_day_start FROM quota_state')
        .one(),
    );
    expect(state).toEqual({ minute_count: 50, token_minute_start: null, token_day_start: null });
  });

  it('writes an admission after a quiet spell at once, with no alarm, when no tokens follow it', async () => {
    const stub = freshLimiter();
    const free: QuotaLimits = { ...NO_LIMITS, requestsPer5h: 40 };
    await stub.admit({ limits: free, now: T0, countsTowardQuota: true });
    await runDurableObjectAlarm(stub);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const written = await countWrites(stub, (limiter) => {
      limiter.admit({ limits: free, now: T0 + 2_000, countsTowardQuota: true });
    });
    expect(written).toEqual({ rows: 1, alarms: 0 });
  });
});
