import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { QuotaLimits } from '../../src/auth/key-record';
import type { QuotaLimiter } from '../../src/quota/quota-limiter';
import { FIVE_HOURS_MS, LEASE_TTL_MS, MINUTE_MS, WEEK_MS } from '../../src/quota/windows';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const FREE: QuotaLimits = { requestsPer5h: 40, requestsPerWeek: 200, requestsPerMinute: null, maxConcurrent: null, tokensPerMinute: null, tokensPerDay: null };

const freshLimiter = (): DurableObjectStub<QuotaLimiter> =>
  env.QUOTA.get(env.QUOTA.idFromName(`key_${crypto.randomUUID()}`));

const admitMany = async (stub: DurableObjectStub<QuotaLimiter>, count: number, limits: QuotaLimits, now: number) => {
  for (let index = 0; index < count; index++) {
    expect((await stub.admit({ limits, now, countsTowardQuota: true })).allowed).toBe(true);
  }
};

describe('QuotaLimiter admission', () => {
  it('admits exactly 40 of 200 concurrent requests on a free key, each seeing a distinct remaining count', async () => {
    const stub = freshLimiter();
    const verdicts = await Promise.all(
      Array.from({ length: 200 }, (_, index) => stub.admit({ limits: FREE, now: T0 + index, countsTowardQuota: true })),
    );
    const allowed = verdicts.filter((verdict) => verdict.allowed);
    const refused = verdicts.filter((verdict) => !verdict.allowed);
    expect(allowed).toHaveLength(40);
    expect(refused).toHaveLength(160);
    expect(allowed.map((verdict) => verdict.fiveHour.remaining).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: 40 }, (_, index) => index),
    );
    expect(new Set(allowed.map((verdict) => verdict.week.remaining)).size).toBe(40);
    for (const verdict of refused) {
      expect(verdict).toMatchObject({ reason: '5h', fiveHour: { remaining: 0, used: 40 }, week: { remaining: 160 } });
      expect(verdict.retryAfterSeconds).toBeGreaterThan(0);
    }
    const status = await stub.status({ limits: FREE, now: T0 + 500, countsTowardQuota: true });
    expect(status.fiveHour).toMatchObject({ used: 40, remaining: 0 });
    expect(status.week).toMatchObject({ used: 40, remaining: 160 });
  });

  it('refuses with the window reset as retry-after and opens the next window at the first later request', async () => {
    const stub = freshLimiter();
    await admitMany(stub, 40, FREE, T0);
    const refused = await stub.admit({ limits: FREE, now: T0 + FIVE_HOURS_MS - 1_000, countsTowardQuota: true });
    expect(refused).toMatchObject({ allowed: false, reason: '5h', retryAfterSeconds: 1, fiveHour: { reset: T0 + FIVE_HOURS_MS } });

    const later = T0 + FIVE_HOURS_MS + 42 * MINUTE_MS;
    const reopened = await stub.admit({ limits: FREE, now: later, countsTowardQuota: true });
    expect(reopened).toMatchObject({ allowed: true, fiveHour: { used: 1, remaining: 39, reset: later + FIVE_HOURS_MS } });
    expect(reopened.week).toMatchObject({ used: 41, reset: T0 + WEEK_MS });
  });

  it('holds a key to its weekly window across 5-hour windows until 7 days after its first request', async () => {
    const stub = freshLimiter();
    const limits: QuotaLimits = { ...FREE, requestsPer5h: 10, requestsPerWeek: 15 };
    await admitMany(stub, 10, limits, T0);
    await admitMany(stub, 5, limits, T0 + FIVE_HOURS_MS);
    const refused = await stub.admit({ limits, now: T0 + 2 * FIVE_HOURS_MS, countsTowardQuota: true });
    expect(refused).toMatchObject({ allowed: false, reason: 'week', week: { remaining: 0, reset: T0 + WEEK_MS } });
    expect(refused.retryAfterSeconds).toBe((WEEK_MS - 2 * FIVE_HOURS_MS) / 1000);

    const nextWeek = await stub.admit({ limits, now: T0 + WEEK_MS, countsTowardQuota: true });
    expect(nextWeek).toMatchObject({ allowed: true, week: { used: 1, reset: T0 + 2 * WEEK_MS }, fiveHour: { used: 1 } });
  });

  it('reports the limit that keeps the request out longest when several have run out', async () => {
    const stub = freshLimiter();
    const limits: QuotaLimits = { requestsPer5h: 2, requestsPerWeek: 2, requestsPerMinute: 2, maxConcurrent: null, tokensPerMinute: null, tokensPerDay: null };
    await admitMany(stub, 2, limits, T0);
    const refused = await stub.admit({ limits, now: T0 + 1, countsTowardQuota: true });
    expect(refused).toMatchObject({ allowed: false, reason: 'week' });
  });

  it('applies changed limits to the next request', async () => {
    const stub = freshLimiter();
    await admitMany(stub, 5, FREE, T0);
    const lowered = await stub.admit({ limits: { ...FREE, requestsPer5h: 5 }, now: T0 + 1, countsTowardQuota: true });
    expect(lowered).toMatchObject({ allowed: false, reason: '5h' });
    const raised = await stub.admit({ limits: { ...FREE, requestsPer5h: 400 }, now: T0 + 2, countsTowardQuota: true });
    expect(raised).toMatchObject({ allowed: true, fiveHour: { used: 6, remaining: 394 } });
  });

  it('keeps its windows across an eviction once the state is written behind: state is reloaded from SQLite', async () => {
    const stub = freshLimiter();
    await admitMany(stub, 3, FREE, T0);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await evictDurableObject(stub);
    const status = await stub.status({ limits: FREE, now: T0 + 1, countsTowardQuota: true });
    expect(status.fiveHour).toMatchObject({ used: 3, open: true, reset: T0 + FIVE_HOURS_MS });
  });
});

describe('QuotaLimiter refunds', () => {
  it('restores a refunded request exactly once', async () => {
    const stub = freshLimiter();
    await admitMany(stub, 2, FREE, T0);
    const verdict = await stub.admit({ limits: FREE, now: T0 + 1, countsTowardQuota: true });
    expect(verdict.fiveHour.remaining).toBe(37);
    expect(await stub.refund({ admissionId: verdict.admissionId, now: T0 + 2 })).toBe(true);
    expect(await stub.refund({ admissionId: verdict.admissionId, now: T0 + 3 })).toBe(false);
    const status = await stub.status({ limits: FREE, now: T0 + 4, countsTowardQuota: true });
    expect(status.fiveHour).toMatchObject({ used: 2, remaining: 38 });
    expect(status.week).toMatchObject({ used: 2, remaining: 198 });
  });

  it('restores exactly once under concurrent duplicate refunds', async () => {
    const stub = freshLimiter();
    await admitMany(stub, 4, FREE, T0);
    const verdict = await stub.admit({ limits: FREE, now: T0, countsTowardQuota: true });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => stub.refund({ admissionId: verdict.admissionId, now: T0 + 1 })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await stub.status({ limits: FREE, now: T0 + 1, countsTowardQuota: true })).fiveHour.used).toBe(4);
  });

  it('lets a refund free the slot a refused request was waiting for', async () => {
    const stub = freshLimiter();
    await admitMany(stub, 39, FREE, T0);
    const last = await stub.admit({ limits: FREE, now: T0, countsTowardQuota: true });
    expect((await stub.admit({ limits: FREE, now: T0, countsTowardQuota: true })).allowed).toBe(false);
    await stub.refund({ admissionId: last.admissionId, now: T0 });
    expect((await stub.admit({ limits: FREE, now: T0, countsTowardQuota: true })).allowed).toBe(true);
  });

  it('gives back only to windows still in force', async () => {
    const stub = freshLimiter();
    const early = await stub.admit({ limits: FREE, now: T0, countsTowardQuota: true });
    await stub.admit({ limits: FREE, now: T0 + FIVE_HOURS_MS, countsTowardQuota: true });
    expect(await stub.refund({ admissionId: early.admissionId, now: T0 + FIVE_HOURS_MS + 1 })).toBe(true);
    const status = await stub.status({ limits: FREE, now: T0 + FIVE_HOURS_MS + 2, countsTowardQuota: true });
    expect(status.fiveHour.used).toBe(1);
    expect(status.week.used).toBe(1);
  });

  it('ignores refunds of refused, unknown and pre-reset admissions', async () => {
    const stub = freshLimiter();
    const limits: QuotaLimits = { ...FREE, requestsPer5h: 1 };
    const admitted = await stub.admit({ limits, now: T0, countsTowardQuota: true });
    const refused = await stub.admit({ limits, now: T0, countsTowardQuota: true });
    expect(await stub.refund({ admissionId: refused.admissionId, now: T0 })).toBe(false);
    expect(await stub.refund({ admissionId: 'adm_unknown', now: T0 })).toBe(false);
    await stub.reset();
    await stub.admit({ limits, now: T0 + 1, countsTowardQuota: true });
    expect(await stub.refund({ admissionId: admitted.admissionId, now: T0 + 2 })).toBe(false);
    expect((await stub.status({ limits, now: T0 + 3, countsTowardQuota: true })).fiveHour.used).toBe(1);
  });

  it('writes one row per refund and prunes those whose windows ended in its alarm, in bounded chunks', async () => {
    const stub = freshLimiter();
    const limits: QuotaLimits = { ...FREE, requestsPer5h: 2_000, requestsPerWeek: null };
    const verdicts = await Promise.all(Array.from({ length: 1_200 }, (_, index) => stub.admit({ limits, now: T0 + index, countsTowardQuota: true })));
    const refunds = () =>
      runInDurableObject(stub, (_instance: QuotaLimiter, state) => state.storage.sql.exec<{ rows: number }>('SELECT COUNT(*) AS rows FROM refund').one().rows);
    expect(await refunds()).toBe(0);
    await Promise.all(verdicts.map((verdict) => stub.refund({ admissionId: verdict.admissionId, now: T0 + 2_000 })));
    expect(await refunds()).toBe(1_200);
    expect((await stub.status({ limits, now: T0 + 2_000, countsTowardQuota: true })).fiveHour.used).toBe(0);
    await stub.admit({ limits, now: T0 + FIVE_HOURS_MS, countsTowardQuota: true });
    // Nothing is pruned inside admit(): the alarm takes 500 rows per run and re-arms while more remain.
    expect(await refunds()).toBe(1_200);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await refunds()).toBe(700);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await refunds()).toBe(0);
  });
});

describe('QuotaLimiter prepaid keys, burst and concurrency', () => {
  it('lets prepaid keys skip the request windows but keeps the per-minute burst limit', async () => {
    const stub = freshLimiter();
    const limits: QuotaLimits = { requestsPer5h: 1, requestsPerWeek: 1, requestsPerMinute: 3, maxConcurrent: null, tokensPerMinute: null, tokensPerDay: null };
    for (let index = 0; index < 3; index++) {
      const verdict = await stub.admit({ limits, now: T0 + index, countsTowardQuota: false });
      expect(verdict).toMatchObject({ allowed: true, fiveHour: { limit: null, used: 0 }, week: { limit: null } });
    }
    const refused = await stub.admit({ limits, now: T0 + 30_000, countsTowardQuota: false });
    expect(refused).toMatchObject({ allowed: false, reason: 'minute', retryAfterSeconds: 30, minute: { reset: T0 + MINUTE_MS } });
    expect((await stub.admit({ limits, now: T0 + MINUTE_MS, countsTowardQuota: false })).allowed).toBe(true);
    expect(await stub.refund({ admissionId: refused.admissionId, now: T0 })).toBe(false);
  });

  it('holds concurrent requests to the lease count and frees a slot on release', async () => {
    const stub = freshLimiter();
    const limits: QuotaLimits = { requestsPer5h: null, requestsPerWeek: null, requestsPerMinute: null, maxConcurrent: 2, tokensPerMinute: null, tokensPerDay: null };
    const first = await stub.admit({ limits, now: T0, countsTowardQuota: false });
    const second = await stub.admit({ limits, now: T0, countsTowardQuota: false });
    expect(first.leaseId).toBeDefined();
    expect(second.leaseId).not.toBe(first.leaseId);
    expect(await stub.admit({ limits, now: T0, countsTowardQuota: false })).toMatchObject({
      allowed: false,
      reason: 'concurrency',
      retryAfterSeconds: 1,
    });
    expect(await stub.release({ leaseId: first.leaseId ?? '' })).toBe(true);
    expect(await stub.release({ leaseId: first.leaseId ?? '' })).toBe(false);
    expect((await stub.admit({ limits, now: T0 + 1, countsTowardQuota: false })).allowed).toBe(true);
    expect((await stub.status({ limits, now: T0 + 1, countsTowardQuota: false })).concurrency).toEqual({ limit: 2, active: 2 });
  });

  it('expires a lease that is never released after its TTL', async () => {
    const stub = freshLimiter();
    const limits: QuotaLimits = { requestsPer5h: null, requestsPerWeek: null, requestsPerMinute: null, maxConcurrent: 1, tokensPerMinute: null, tokensPerDay: null };
    await stub.admit({ limits, now: T0, countsTowardQuota: true });
    expect((await stub.admit({ limits, now: T0 + LEASE_TTL_MS - 1, countsTowardQuota: true })).reason).toBe('concurrency');
    expect((await stub.admit({ limits, now: T0 + LEASE_TTL_MS, countsTowardQuota: true })).allowed).toBe(true);
  });

  it('admits exactly maxConcurrent of many simultaneous requests', async () => {
    const stub = freshLimiter();
    const limits: QuotaLimits = { ...FREE, maxConcurrent: 5 };
    const verdicts = await Promise.all(
      Array.from({ length: 50 }, () => stub.admit({ limits, now: T0, countsTowardQuota: true })),
    );
    expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(5);
    expect((await stub.status({ limits, now: T0, countsTowardQuota: true })).fiveHour.used).toBe(5);
  });

  it('ends the lease in the same round trip as a refund', async () => {
    const stub = freshLimiter();
    const limits: QuotaLimits = { ...FREE, maxConcurrent: 1 };
    const verdict = await stub.admit({ limits, now: T0, countsTowardQuota: true });
    expect(await stub.refund({ admissionId: verdict.admissionId, leaseId: verdict.leaseId, now: T0 })).toBe(true);
    expect(await stub.status({ limits, now: T0, countsTowardQuota: true })).toMatchObject({
      fiveHour: { used: 0 },
      concurrency: { active: 0 },
    });
  });
});

describe('QuotaLimiter reset', () => {
  it('clears every window so the next request opens fresh ones', async () => {
    const stub = freshLimiter();
    const limits: QuotaLimits = { ...FREE, requestsPerMinute: 40 };
    await admitMany(stub, 40, limits, T0);
    await stub.reset();
    const status = await stub.status({ limits, now: T0 + 1, countsTowardQuota: true });
    expect(status.fiveHour).toMatchObject({ used: 0, remaining: 40, open: false, reset: T0 + 1 + FIVE_HOURS_MS });
    expect(status.week.used).toBe(0);
    expect(status.minute.used).toBe(0);
    expect(await stub.admit({ limits, now: T0 + 2, countsTowardQuota: true })).toMatchObject({
      allowed: true,
      fiveHour: { used: 1, reset: T0 + 2 + FIVE_HOURS_MS },
    });
  });
});

describe('QuotaLimiter storage from earlier layouts', () => {
  it('moves an object stored as a row per window with a lease table into the one-row state', async () => {
    const stub = env.QUOTA.get(env.QUOTA.idFromName(`key_${crypto.randomUUID()}`));
    await runInDurableObject(stub, (_instance: QuotaLimiter, state) => {
      const sql = state.storage.sql;
      sql.exec('DROP TABLE quota_state');
      sql.exec('DROP TABLE lease');
      sql.exec('DROP TABLE refund');
      sql.exec('CREATE TABLE quota_window (name TEXT PRIMARY KEY, started_at INTEGER NOT NULL, count INTEGER NOT NULL)');
      sql.exec('CREATE TABLE admission (id TEXT PRIMARY KEY, five_hour_start INTEGER, week_start INTEGER)');
      sql.exec('CREATE TABLE lease (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)');
      sql.exec("INSERT INTO quota_window VALUES ('5h', ?, 7), ('week', ?, 9)", T0, T0);
      sql.exec("INSERT INTO lease VALUES ('old-lease', ?)", T0 + LEASE_TTL_MS);
    });
    await evictDurableObject(stub);
    const limits: QuotaLimits = { ...FREE, maxConcurrent: 1 };
    const status = await stub.status({ limits, now: T0 + 1, countsTowardQuota: true });
    expect(status).toMatchObject({ fiveHour: { used: 7 }, week: { used: 9 }, concurrency: { active: 1 } });
    expect(await stub.release({ leaseId: 'old-lease' })).toBe(true);
    expect((await stub.admit({ limits, now: T0 + 2, countsTowardQuota: true })).fiveHour.used).toBe(8);
  });

  it('moves an object with a row per admission (leases inside) into rows only for live leases, keeping its counts', async () => {
    const stub = env.QUOTA.get(env.QUOTA.idFromName(`key_${crypto.randomUUID()}`));
    await runInDurableObject(stub, (_instance: QuotaLimiter, state) => {
      const sql = state.storage.sql;
      for (const table of ['quota_state', 'lease', 'refund']) sql.exec(`DROP TABLE ${table}`);
      sql.exec(`CREATE TABLE quota_state (id INTEGER PRIMARY KEY CHECK (id = 1), five_hour_start INTEGER, five_hour_count INTEGER NOT NULL DEFAULT 0,
        week_start INTEGER, week_count INTEGER NOT NULL DEFAULT 0, minute_start INTEGER, minute_count INTEGER NOT NULL DEFAULT 0)`);
      sql.exec('CREATE TABLE admission (id TEXT PRIMARY KEY, five_hour_start INTEGER, week_start INTEGER, lease_expires_at INTEGER) WITHOUT ROWID');
      sql.exec('INSERT INTO quota_state VALUES (1, ?, 2, ?, 2, NULL, 0)', T0, T0);
      sql.exec('INSERT INTO admission VALUES (?, ?, ?, ?), (?, ?, ?, NULL)', 'held', T0, T0, T0 + LEASE_TTL_MS, 'done', T0, T0);
    });
    await evictDurableObject(stub);
    const limits: QuotaLimits = { ...FREE, maxConcurrent: 2 };
    expect(await stub.status({ limits, now: T0 + 1, countsTowardQuota: true })).toMatchObject({ fiveHour: { used: 2 }, concurrency: { active: 1 } });
    const tables = await runInDurableObject(stub, (_instance: QuotaLimiter, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").toArray().map((row) => row.name),
    );
    expect(tables).not.toContain('admission');
    expect(await stub.release({ leaseId: 'held' })).toBe(true);
  });
});
