import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { AuthenticatedKey, QuotaLimits } from '../../src/auth/key-record';
import type { Env } from '../../src/env';
import { BLOCK_MS, blockSizeFor } from '../../src/quota/admission-block';
import { QuotaExceededError, admitRequest, quotaStatus, refundRequest, type QuotaAdmission } from '../../src/quota/quota-client';
import type { QuotaLimiter } from '../../src/quota/quota-limiter';
import type { QuotaVerdict } from '../../src/quota/verdict';
import { MINUTE_MS } from '../../src/quota/windows';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const NO_LIMITS: QuotaLimits = { requestsPer5h: null, requestsPerWeek: null, requestsPerMinute: null, maxConcurrent: null, tokensPerMinute: null, tokensPerDay: null };
const HOT_ABOVE = 100;

const freshLimiter = (): DurableObjectStub<QuotaLimiter> => env.QUOTA.get(env.QUOTA.idFromName(`key_${crypto.randomUUID()}`));

/** Drives one limiter at 500 admissions a second (2 ms apart) the way isolates would: each block's admissions are taken without asking. */
const driveHotKey = async (stub: DurableObjectStub<QuotaLimiter>, limits: QuotaLimits, attempts: number) => {
  let admitted = 0;
  let calls = 0;
  let callsBeforeRefusal = 0;
  let refusedAt: number | undefined;
  const blocks: NonNullable<QuotaVerdict['block']>[] = [];
  let now = T0;
  let fromBlock = 0;
  for (let attempt = 0; attempt < attempts; attempt++, now += 2) {
    if (fromBlock > 0) {
      fromBlock -= 1;
      admitted += 1;
      continue;
    }
    calls += 1;
    const verdict = await stub.admit({ limits, now, countsTowardQuota: true, blockAbovePerSecond: HOT_ABOVE });
    if (!verdict.allowed) {
      if (refusedAt === undefined) callsBeforeRefusal = calls - 1;
      refusedAt ??= attempt;
      continue;
    }
    admitted += 1;
    if (verdict.block !== undefined) {
      blocks.push(verdict.block);
      fromBlock = verdict.block.size;
    }
  }
  return { admitted, calls, callsBeforeRefusal, refusedAt, blocks, now };
};

describe('admission blocks at the limiter', () => {
  it('hands a key above the rate blocks, and a key at 500 admissions/s stays exact to the last admission', async () => {
    const stub = freshLimiter();
    const limits = { ...NO_LIMITS, requestsPer5h: 1_000, requestsPerWeek: 5_000 };
    const run = await driveHotKey(stub, limits, 1_500);
    expect(run.admitted).toBe(1_000);
    expect(run.refusedAt).toBe(1_000);
    // Below the rate (the first 100 admissions in the first 0.2 s) every admission asked; above it, blocks did.
    expect(run.blocks.length).toBeGreaterThan(10);
    expect(run.callsBeforeRefusal).toBeLessThan(250);
    for (const block of run.blocks) expect(block.expiresAt - T0).toBeLessThanOrEqual(5 * 60 * 60 * 1000);
    const status = await stub.status({ limits, now: run.now, countsTowardQuota: true });
    expect(status.fiveHour).toMatchObject({ used: 1_000, remaining: 0 });
    expect(status.week).toMatchObject({ used: 1_000, remaining: 4_000 });
  });

  it('decides the last admissions before the edge one by one', async () => {
    const stub = freshLimiter();
    const limits = { ...NO_LIMITS, requestsPer5h: 300 };
    const run = await driveHotKey(stub, limits, 320);
    expect(run.admitted).toBe(300);
    const last = run.blocks.at(-1);
    expect(last).toBeDefined();
    // No block takes more than a quarter of what is left, so the final 8 admissions are never in one.
    const blockedAdmissions = run.blocks.reduce((sum, block) => sum + block.size, 0);
    expect(run.calls + blockedAdmissions).toBe(run.admitted + (320 - 300));
    expect(blockSizeFor(1_000, HOT_ABOVE, 7)).toBe(0);
    expect(blockSizeFor(1_000, HOT_ABOVE, 8)).toBe(2);
    expect(blockSizeFor(HOT_ABOVE - 1, HOT_ABOVE, 10_000)).toBe(0);
  });

  it('gives back what an isolate returns unused, once, and nothing after a reset', async () => {
    const stub = freshLimiter();
    const limits = { ...NO_LIMITS, requestsPer5h: 10_000, requestsPerMinute: 5_000 };
    const run = await driveHotKey(stub, limits, 400);
    const block = run.blocks.at(-1);
    if (block === undefined) throw new Error('no block was granted');
    const before = await stub.status({ limits, now: run.now, countsTowardQuota: true });
    expect(await stub.returnBlock({ blockId: block.id, unused: block.size, now: run.now })).toBe(true);
    const after = await stub.status({ limits, now: run.now, countsTowardQuota: true });
    expect(after.fiveHour.used).toBe(before.fiveHour.used - block.size);
    expect(after.minute.used).toBe(before.minute.used - block.size);
    expect(await stub.returnBlock({ blockId: block.id, unused: block.size, now: run.now })).toBe(false);
    expect((await stub.status({ limits, now: run.now, countsTowardQuota: true })).fiveHour.used).toBe(after.fiveHour.used);

    const again = await driveHotKey(stub, limits, 300);
    const late = again.blocks.at(-1);
    if (late === undefined) throw new Error('no block was granted');
    await stub.reset();
    await stub.returnBlock({ blockId: late.id, unused: late.size, now: again.now });
    expect((await stub.status({ limits, now: again.now, countsTowardQuota: true })).fiveHour.used).toBe(0);
  });

  it('never lets a block outlive the window that counted it', async () => {
    const stub = freshLimiter();
    const limits = { ...NO_LIMITS, requestsPerMinute: 100_000 };
    // 300 admissions 2 ms apart open the minute window at T0; then a burst 0.3 s before it ends.
    await driveHotKey(stub, limits, 300);
    const nearEnd = T0 + MINUTE_MS - 300;
    let block: QuotaVerdict['block'];
    for (let i = 0; i < 200 && block === undefined; i++) {
      block = (await stub.admit({ limits, now: nearEnd + i, countsTowardQuota: true, blockAbovePerSecond: HOT_ABOVE })).block;
    }
    expect(block).toBeDefined();
    expect(block?.expiresAt).toBeLessThanOrEqual(T0 + MINUTE_MS);
    expect(block?.counted).toBeNull();
  });

  it('tells a refused client to come back within a second while blocks may still return admissions', async () => {
    const stub = freshLimiter();
    const limits = { ...NO_LIMITS, requestsPer5h: 200 };
    const run = await driveHotKey(stub, limits, 200);
    expect(run.admitted).toBe(200);
    const refused = await stub.admit({ limits, now: run.now, countsTowardQuota: true, blockAbovePerSecond: HOT_ABOVE });
    expect(refused).toMatchObject({ allowed: false, reason: '5h', retryAfterSeconds: 1 });
    const later = await stub.admit({ limits, now: run.now + BLOCK_MS + 10, countsTowardQuota: true, blockAbovePerSecond: HOT_ABOVE });
    expect(later.retryAfterSeconds).toBeGreaterThan(60 * 60);
  });

  it('hands no block to a key with a concurrency or a token limit', async () => {
    for (const limits of [
      { ...NO_LIMITS, requestsPer5h: 10_000, maxConcurrent: 1_000 },
      { ...NO_LIMITS, requestsPer5h: 10_000, tokensPerMinute: 10_000_000 },
    ]) {
      const stub = freshLimiter();
      const run = await driveHotKey(stub, limits, 400);
      expect(run.blocks).toHaveLength(0);
    }
  });
});

/** An env whose limiter stubs count admit calls, with admission blocks above `above` admissions a second. */
const countingEnv = (above: number): { env: Env; admits: () => number } => {
  let admits = 0;
  const namespace = env.QUOTA;
  const counting = {
    idFromName: (name: string) => namespace.idFromName(name),
    get: (id: DurableObjectId) => {
      const stub = namespace.get(id);
      return new Proxy(stub, {
        get(target, property, receiver) {
          if (property === 'admit') admits += 1;
          return Reflect.get(target, property, receiver) as unknown;
        },
      });
    },
  } as unknown as Env['QUOTA'];
  return { env: { ...env, QUOTA: counting, QUOTA_BLOCK_ABOVE: String(above) }, admits: () => admits };
};

const hotKey = (limits: QuotaLimits): AuthenticatedKey => ({
  id: `key_${crypto.randomUUID()}`,
  accountId: 'acct_hot',
  name: 'hot key',
  kind: 'inference',
  planId: 'pro',
  planAgentAccess: false,
  billing: 'subscription',
  scopes: ['chat'],
  models: null,
  limits,
  monthlySpendCapMicros: null,
  expiresAt: null,
});

describe('admission blocks in the isolate', () => {
  it('admits a hot key exactly with far fewer limiter calls, refunds block admissions, and gives back what it did not use', async () => {
    const { env: counted, admits } = countingEnv(20);
    const key = hotKey({ ...NO_LIMITS, requestsPer5h: 600 });
    let admitted = 0;
    let refused = 0;
    const remaining: number[] = [];
    const admittedOnes: QuotaAdmission[] = [];
    // 16 clients in closed loops, 40 requests each: 640 requests on one key, as fast as the limiter answers.
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = 0; i < 40; i++) {
          try {
            const admission = await admitRequest(counted, key, Date.now());
            admittedOnes.push(admission);
            admitted += 1;
            remaining.push(admission.verdict.fiveHour.remaining ?? -1);
          } catch (error) {
            expect(error).toBeInstanceOf(QuotaExceededError);
            refused += 1;
          }
        }
      }),
    );
    expect(admitted + refused).toBe(640);
    expect(admitted).toBeLessThanOrEqual(600);
    // The first 20 admissions, the last few before the edge and the refusals went to the limiter one by one.
    expect(admits() - refused).toBeLessThan(admitted / 4);
    // Each admission saw its own remaining count, from the limiter or from a block.
    expect(new Set(remaining).size).toBe(remaining.length);

    // Once every block has ended and given back what it did not use, the window counts exactly what was admitted.
    await new Promise((resolve) => setTimeout(resolve, BLOCK_MS + 300));
    const status = await quotaStatus(counted, key, Date.now());
    expect(status.fiveHour.used).toBe(admitted);

    // Admissions from blocks (most of them here) refund like any other: five given back, five more admitted, then none.
    const admissions = admittedOnes.filter((_, index) => index % 97 === 3).slice(0, 5);
    for (const admission of admissions) expect(await refundRequest(counted, key, admission, Date.now())).toBe(true);
    expect((await quotaStatus(counted, key, Date.now())).fiveHour.used).toBe(admitted - 5);
    for (let i = 0; i < 5 + 600 - admitted; i++) await admitRequest(counted, key, Date.now());
    await expect(admitRequest(counted, key, Date.now())).rejects.toBeInstanceOf(QuotaExceededError);
  });
});
