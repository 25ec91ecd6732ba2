import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { upstreamStateOwnersOf, type UpstreamStateOwners } from '../../src/conversations/upstream-state-owners';

const DAY_MS = 24 * 60 * 60 * 1000;
const freshOwners = () => upstreamStateOwnersOf(env, `acct_${crypto.randomUUID()}`);

const rowCount = (stub: DurableObjectStub<UpstreamStateOwners>, where = 'true') =>
  runInDurableObject(stub, (_instance: UpstreamStateOwners, state) => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM owner WHERE ${where}`).one().n);

describe('UpstreamStateOwners: one account’s records of stored upstream answers', () => {
  it('answers, for the ids asked, those it holds and their provider', async () => {
    const owners = freshOwners();
    const later = Date.now() + DAY_MS;
    await owners.record('prov-a', ['resp_1', 'msg_1', 'rs_1'], later);
    await owners.record('prov-b', ['resp_2'], later);
    const found = await owners.owners(['resp_1', 'rs_1', 'resp_2', 'resp_unknown']);
    expect(found.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'resp_1', provider: 'prov-a' },
      { id: 'resp_2', provider: 'prov-b' },
      { id: 'rs_1', provider: 'prov-a' },
    ]);
    expect(await owners.owners([])).toEqual([]);
  });

  it('does not answer for an expired id, and a record again takes the id over', async () => {
    const owners = freshOwners();
    await owners.record('prov-a', ['resp_old'], Date.now() - 1);
    expect(await owners.owners(['resp_old'])).toEqual([]);
    await owners.record('prov-b', ['resp_old'], Date.now() + DAY_MS);
    expect(await owners.owners(['resp_old'])).toEqual([{ id: 'resp_old', provider: 'prov-b' }]);
    expect(await rowCount(owners)).toBe(1);
  });

  it('writes one answer of six ids in one statement: a row and an index entry per id', async () => {
    const owners = freshOwners();
    const written = await runInDurableObject(owners, (instance: UpstreamStateOwners, state) => {
      const sql = state.storage.sql;
      const exec = sql.exec.bind(sql);
      const counts = { statements: 0, rows: 0 };
      sql.exec = ((query: string, ...bindings: unknown[]) => {
        const cursor = exec(query, ...bindings);
        cursor.toArray();
        counts.statements += 1;
        counts.rows += cursor.rowsWritten;
        return cursor;
      }) as typeof sql.exec;
      instance.record('prov-a', ['resp_9', 'rs_9', 'fc_9', 'fc_9b', 'msg_9', 'msg_9b'], Date.now() + DAY_MS);
      sql.exec = exec;
      return counts;
    });
    expect(written).toEqual({ statements: 1, rows: 12 });
  });

  it('arms its sweep once, a day after the earliest expiry it holds', async () => {
    const owners = freshOwners();
    const expiry = Date.now() + 30 * DAY_MS;
    await owners.record('prov-a', ['resp_a'], expiry);
    await owners.record('prov-a', ['resp_b'], expiry + 1_000);
    const alarm = await runInDurableObject(owners, (_instance: UpstreamStateOwners, state) => state.storage.getAlarm());
    expect(alarm).toBe(expiry + DAY_MS);
  });

  it('sweeps expired rows 500 per run through its expiry index, re-arming at once while more have expired, then for the next expiry', async () => {
    const owners = freshOwners();
    const now = Date.now();
    const live = now + 10 * DAY_MS;
    const runs = await runInDurableObject(owners, async (instance: UpstreamStateOwners, state) => {
      const sql = state.storage.sql;
      sql.exec(
        `WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 1200)
         INSERT INTO owner (id, provider, expires_at) SELECT 'old_' || value, 'prov-a', ? - value FROM n`,
        now,
      );
      sql.exec(`INSERT INTO owner (id, provider, expires_at) VALUES ('resp_live1', 'prov-a', ?), ('resp_live2', 'prov-a', ?)`, live, live + 5);
      const plan = sql.exec<{ detail: string }>('EXPLAIN QUERY PLAN SELECT id FROM owner WHERE expires_at <= ? ORDER BY expires_at LIMIT 500', now).toArray();
      const seen: { expiredLeft: number; alarm: number | null }[] = [];
      for (let run = 0; run < 3; run++) {
        instance.alarm();
        const expiredLeft = sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM owner WHERE expires_at <= ?', now).one().n;
        seen.push({ expiredLeft, alarm: await state.storage.getAlarm() });
      }
      return { plan: plan.map((row) => row.detail).join(' '), seen };
    });
    expect(runs.plan).toContain('owner_expiry');
    expect(runs.seen.map((run) => run.expiredLeft)).toEqual([700, 200, 0]);
    expect(runs.seen[0]?.alarm).toBeLessThanOrEqual(Date.now());
    expect(runs.seen[1]?.alarm).toBeLessThanOrEqual(Date.now());
    expect(runs.seen[2]?.alarm).toBe(live + DAY_MS);
    expect(await owners.owners(['resp_live1', 'resp_live2'])).toHaveLength(2);
  });

  it('sets no alarm once it holds nothing', async () => {
    const owners = freshOwners();
    await owners.record('prov-a', ['resp_gone'], Date.now() - DAY_MS * 2);
    const after = await runInDurableObject(owners, async (instance: UpstreamStateOwners, state) => {
      await state.storage.deleteAlarm();
      instance.alarm();
      return { rows: state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM owner').one().n, alarm: await state.storage.getAlarm() };
    });
    expect(after).toEqual({ rows: 0, alarm: null });
  });
});
