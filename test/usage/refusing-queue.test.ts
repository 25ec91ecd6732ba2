import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import type { Env } from '../../src/env';
import { queueUsageEvent } from '../../src/relay/usage-batch';
import { persistUsageEvents, replaySpilledUsage } from '../../src/usage/usage-fallback';
import { dbCount, usageEvent } from './harness';

const refusingQueue = { sendBatch: async () => Promise.reject(new Error('queue refused')) } as unknown as Queue<unknown>;

it('writes usage events straight to D1 when the queue keeps refusing, exactly once with a later redelivery', async () => {
  const events = Array.from({ length: 25 }, () => usageEvent({ keyId: 'key_refused_queue' }));
  const ctx = createExecutionContext();
  for (const event of events) queueUsageEvent(ctx, { queue: refusingQueue, persist: (batch) => persistUsageEvents(env, batch) }, event);
  await waitOnExecutionContext(ctx);
  expect(await dbCount("SELECT COUNT(*) AS n FROM usage_events WHERE key_id = 'key_refused_queue'")).toBe(25);
  expect(await dbCount("SELECT SUM(requests) AS n FROM usage_daily WHERE key_id = 'key_refused_queue'")).toBe(25);

  // The queue had in fact taken one of them: its redelivery through the same path writes nothing twice.
  await persistUsageEvents(env, events.slice(0, 3));
  expect(await dbCount("SELECT SUM(requests) AS n FROM usage_daily WHERE key_id = 'key_refused_queue'")).toBe(25);
});

it('keeps events in KV when D1 refuses too, and the cron writes them later', async () => {
  const events = Array.from({ length: 3 }, () => usageEvent({ keyId: 'key_refused_everything' }));
  const brokenDb = {
    prepare: (sql: string) => env.DB.prepare(sql),
    batch: async () => Promise.reject(new Error('D1 overloaded')),
  } as unknown as D1Database;
  await persistUsageEvents({ ...env, DB: brokenDb } as Env, events);
  expect(await dbCount("SELECT COUNT(*) AS n FROM usage_events WHERE key_id = 'key_refused_everything'")).toBe(0);
  expect((await env.TASKS.list({ prefix: 'usage-spill:' })).keys.length).toBeGreaterThanOrEqual(3);

  expect((await replaySpilledUsage(env)).replayed).toBeGreaterThanOrEqual(3);
  expect(await dbCount("SELECT COUNT(*) AS n FROM usage_events WHERE key_id = 'key_refused_everything'")).toBe(3);
  expect((await env.TASKS.list({ prefix: 'usage-spill:' })).keys).toEqual([]);
});
