import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/env';
import { archiveChunk, archivedUsageEvents, type ArchiveCursor } from '../../src/usage/archive';
import type { UsageEvent } from '../../src/usage/event';
import { pruneUsageEvents, rawWindowDays } from '../../src/usage/retention';
import { writeUsage } from '../../src/usage/usage-fold';
import type { UsageEventRow } from '../../src/usage/usage-events';
import { ADMIN_TOKEN } from '../setup/seed';
import { call, dbCount, usageEvent } from './harness';

const DAY = 86_400_000;

/** Events in a far-past era of their own, so each test's sweep sees only its rows; folded as written (the sweep moves only folded events). */
const writeEvents = async (events: readonly UsageEvent[]): Promise<void> => {
  for (let start = 0; start < events.length; start += 1_000) await writeUsage(env, events.slice(start, start + 1_000), new Map(), { now: Date.now(), intervalMs: 0 });
};

const eventsFrom = (start: number, count: number, step: number, overrides: Partial<UsageEvent> = {}): UsageEvent[] =>
  Array.from({ length: count }, (_, index) => usageEvent({ createdAt: start + index * step, billing: 'subscription', ...overrides }));

const rowsBetween = (from: number, to: number) => dbCount('SELECT COUNT(*) AS n FROM usage_events WHERE created_at >= ?1 AND created_at < ?2', from, to);

const objectKeys = async (prefix: string): Promise<string[]> => (await env.USAGE_ARCHIVE.list({ prefix })).objects.map((object) => object.key);

const prefixOf = (epochMs: number) => `usage/${new Date(epochMs).toISOString().slice(0, 10).replaceAll('-', '/')}/`;

describe('usage archive', () => {
  it('moves a chunk to one object by a deterministic key, exactly once when the sweep is cut between put and delete', async () => {
    const start = Date.UTC(2020, 0, 10, 12);
    const events = eventsFrom(start, 50, 1_000);
    await writeEvents(events);
    // The first run writes its object and then loses D1 before the delete (a crash, a timeout).
    const failingDelete = {
      ...env,
      DB: {
        prepare: (sql: string) => {
          if (sql.startsWith('DELETE')) throw new Error('D1 went away');
          return env.DB.prepare(sql);
        },
      } as unknown as D1Database,
    } as Env;
    await expect(archiveChunk(failingDelete, start + DAY, 1_000)).rejects.toThrow('D1 went away');
    expect(await rowsBetween(start, start + DAY)).toBe(50);
    const [key] = await objectKeys(prefixOf(start));
    expect(key).toMatch(/^usage\/2020\/01\/10\/\d{13}-\d{13}-[0-9a-f]{16}\.ndjson$/);

    // The next run finds the same chunk, the same key and its object: no second object, the rows go.
    expect(await archiveChunk(env, start + DAY, 1_000)).toEqual({ moved: 50, key, written: false });
    expect(await objectKeys(prefixOf(start))).toEqual([key]);
    expect(await rowsBetween(start, start + DAY)).toBe(0);
    const stored = (await (await env.USAGE_ARCHIVE.get(key as string))?.text())?.trim().split('\n').map((line) => JSON.parse(line) as UsageEventRow);
    expect(stored?.map((row) => row.request_id)).toEqual(events.map((event) => event.requestId));
    expect(await archiveChunk(env, start + DAY, 1_000)).toEqual({ moved: 0 });
  });

  it('deletes no row before its object exists', async () => {
    const start = Date.UTC(2020, 1, 10, 12);
    await writeEvents(eventsFrom(start, 20, 1_000));
    const refusingBucket = { ...env, USAGE_ARCHIVE: { get: async () => null, put: async () => Promise.reject(new Error('R2 refused')) } } as unknown as Env;
    await expect(archiveChunk(refusingBucket, start + DAY, 1_000)).rejects.toThrow('R2 refused');
    expect(await rowsBetween(start, start + DAY)).toBe(20);
    expect(await objectKeys(prefixOf(start))).toEqual([]);
    expect(await archiveChunk(env, start + DAY, 1_000)).toMatchObject({ moved: 20, written: true });
  });

  it('keeps up: 5,000 events over two days leave D1 in day-partitioned chunks, and the readers find them in R2', async () => {
    const start = Date.UTC(2020, 2, 10, 20);
    const events = eventsFrom(start, 5_000, 10_000, { keyId: 'key_archive' });
    await writeEvents(events);
    const now = start + 2 * DAY + rawWindowDays(env) * DAY;
    const began = Date.now();
    const outcome = await pruneUsageEvents(env, now, { chunkRows: 1_000 });
    const elapsed = Date.now() - began;
    console.log(JSON.stringify({ message: 'archive sweep', moved: outcome.moved, objects: outcome.objects, ms: elapsed, eventsPerSecond: Math.round((outcome.moved / elapsed) * 1000) }));
    expect(outcome).toMatchObject({ moved: 5_000, backlog: false });
    // A run may take 40 s of each minute: at this rate the sweep outpaces well over 500 req/s.
    expect((outcome.moved / Math.max(1, elapsed)) * 1000).toBeGreaterThan(750);
    expect(await rowsBetween(start, start + 2 * DAY)).toBe(0);
    // 1,440 events on the first day (20:00 to midnight), 3,560 on the next: no object crosses midnight.
    expect((await objectKeys(prefixOf(start))).length).toBe(2);
    expect((await objectKeys(prefixOf(start + DAY))).length).toBe(4);

    // Oldest first, in pages, with a cursor; then newest first.
    const filter = { keyId: 'key_archive', from: '2020-03-10', to: '2020-03-11' };
    const seen: string[] = [];
    let cursor: ArchiveCursor | null = null;
    do {
      const page = await archivedUsageEvents(env, filter, cursor, 700);
      seen.push(...page.rows.map((row) => row.request_id));
      cursor = page.next;
    } while (cursor !== null);
    expect(seen).toEqual(events.map((event) => event.requestId));
    const newest = await archivedUsageEvents(env, filter, null, 3, 'desc');
    expect(newest.rows.map((row) => row.request_id)).toEqual(events.slice(-3).reverse().map((event) => event.requestId));
    const filtered = await archivedUsageEvents(env, { ...filter, keyId: 'someone_else' }, null, 10);
    expect(filtered).toEqual({ rows: [], next: null });
  });

  it('stops at its budget with a backlog, and the next run continues', async () => {
    const start = Date.UTC(2020, 3, 10, 1);
    await writeEvents(eventsFrom(start, 300, 1_000));
    const now = start + DAY + rawWindowDays(env) * DAY;
    expect(await pruneUsageEvents(env, now, { chunkRows: 100, budgetMs: 0 })).toEqual({ moved: 100, objects: 1, backlog: true });
    expect(await pruneUsageEvents(env, now, { chunkRows: 100 })).toEqual({ moved: 200, objects: 2, backlog: false });
    expect(await rowsBetween(start, start + DAY)).toBe(0);
  });
});

describe('usage CSV across the archive', () => {
  it('streams the rows already in R2 before the ones still in D1', async () => {
    const archivedAt = Date.UTC(2020, 5, 10, 8);
    const old = eventsFrom(archivedAt, 30, 1_000, { keyId: 'key_csv_archive' });
    const recent = eventsFrom(Date.now() - 60_000, 5, 1_000, { keyId: 'key_csv_archive' });
    await writeEvents([...old, ...recent]);
    await pruneUsageEvents(env, archivedAt + DAY + rawWindowDays(env) * DAY);
    expect(await rowsBetween(archivedAt, archivedAt + DAY)).toBe(0);
    const response = await call('/admin/usage.csv?keyId=key_csv_archive', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split('\r\n');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual([...old, ...recent].map((event) => event.requestId));
  });
});
