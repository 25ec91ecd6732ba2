import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { consumeUsageDeadLetters } from '../../src/usage/dead-letters';
import type { UsageEvent } from '../../src/usage/event';
import { adminCall, dbCount, usageEvent } from './harness';

it('keeps events that exhausted their retries in D1, and replays them once fixed', async () => {
  const good = usageEvent({ keyId: 'key_dlq' });
  const bad = usageEvent({ keyId: 'key_dlq', clientFormat: null as unknown as UsageEvent['clientFormat'] });
  const batch = createMessageBatch<UsageEvent>('polyrelay-usage-dlq', [
    { id: 'dlq_1', timestamp: new Date(), attempts: 1, body: good },
    { id: 'dlq_2', timestamp: new Date(), attempts: 1, body: bad },
  ]);
  const ctx = createExecutionContext();
  await consumeUsageDeadLetters(batch, env);
  const result = await getQueueResult(batch, ctx);
  expect(result.explicitAcks.sort()).toEqual(['dlq_1', 'dlq_2']);
  expect(await dbCount("SELECT COUNT(*) AS n FROM usage_events WHERE key_id = 'key_dlq'")).toBe(1);

  const stored = await adminCall('GET', '/usage/dead-letters');
  expect(await stored.json()).toMatchObject({ data: [{ message_id: 'dlq_2', request_id: bad.requestId }] });
  expect(await (await adminCall('POST', '/usage/dead-letters/replay')).json()).toEqual({ replayed: 0, failed: 1, remaining: 1 });

  // The operator repairs the stored body; the replay writes it and removes the letter in one batch.
  await env.DB.prepare("UPDATE usage_dead_letters SET body = json_set(body, '$.clientFormat', 'openai-chat') WHERE message_id = 'dlq_2'").run();
  expect(await (await adminCall('POST', '/usage/dead-letters/replay')).json()).toEqual({ replayed: 1, failed: 0, remaining: 0 });
  expect(await dbCount("SELECT COUNT(*) AS n FROM usage_events WHERE key_id = 'key_dlq'")).toBe(2);
  expect(await dbCount("SELECT SUM(requests) AS n FROM usage_daily WHERE key_id = 'key_dlq'")).toBe(2);
});

it('keeps a failed pack whole and replays every event in it once', async () => {
  const events = [usageEvent({ keyId: 'key_dlq_pack' }), usageEvent({ keyId: 'key_dlq_pack' })];
  const broken = [events[0] as UsageEvent, { ...(events[1] as UsageEvent), clientFormat: null as unknown as UsageEvent['clientFormat'] }];
  const batch = createMessageBatch<{ events: UsageEvent[] }>('polyrelay-usage-dlq', [{ id: 'dlq_pack', timestamp: new Date(), attempts: 1, body: { events: broken } }]);
  await consumeUsageDeadLetters(batch, env);
  expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toEqual(['dlq_pack']);
  // The pack is one transaction: nothing of it is written while one event fails.
  expect(await dbCount("SELECT COUNT(*) AS n FROM usage_events WHERE key_id = 'key_dlq_pack'")).toBe(0);
  expect(await dbCount("SELECT COUNT(*) AS n FROM usage_dead_letters WHERE message_id = 'dlq_pack' AND request_id = ?1", events[0]?.requestId ?? '')).toBe(1);

  await env.DB.prepare("UPDATE usage_dead_letters SET body = json_set(body, '$.events[1].clientFormat', 'openai-chat') WHERE message_id = 'dlq_pack'").run();
  expect(await (await adminCall('POST', '/usage/dead-letters/replay')).json()).toEqual({ replayed: 1, failed: 0, remaining: 0 });
  expect(await dbCount("SELECT SUM(requests) AS n FROM usage_daily WHERE key_id = 'key_dlq_pack'")).toBe(2);
});
