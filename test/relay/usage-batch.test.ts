import { describe, expect, it } from 'vitest';
import { emptyUsage } from '../../src/ir/usage';
import { queueUsageEvent, type UsageSink } from '../../src/relay/usage-batch';
import type { UsageEvent } from '../../src/usage/event';

const event = (requestId: string): UsageEvent => ({
  requestId,
  accountId: 'acct',
  keyId: 'key',
  model: 'm',
  providerId: null,
  upstreamModel: null,
  clientFormat: 'anthropic',
  upstreamFormat: null,
  status: 200,
  errorType: null,
  stream: false,
  aborted: false,
  usage: emptyUsage(),
  latencyMs: 1,
  ttfbMs: null,
  createdAt: 0,
});

const fakeQueue = () => {
  const batches: string[][] = [];
  const queue = {
    send: async () => {},
    sendBatch: async (messages: Iterable<MessageSendRequest<unknown>>) => {
      // Packed messages ({ events }) carry several events each; a batch is every event of one send.
      batches.push([...messages].flatMap((message) => (message.body as { events: UsageEvent[] }).events.map((entry) => entry.requestId)));
    },
  } as unknown as Queue<unknown>;
  return { queue, batches };
};

/** A sink over `queue` that records what reached its durable path. */
const sinkOf = (queue: Queue<unknown>) => {
  const persisted: string[] = [];
  const sink: UsageSink = {
    queue,
    persist: async (events) => {
      persisted.push(...events.map((entry) => entry.requestId));
    },
  };
  return { sink, persisted };
};

const context = () => {
  const waited: Promise<unknown>[] = [];
  return { ctx: { waitUntil: (promise: Promise<unknown>) => waited.push(promise) }, settled: () => Promise.all(waited) };
};

describe('queueUsageEvent', () => {
  it('sends the events of concurrent requests as one batch, and each request waits for it', async () => {
    const { queue, batches } = fakeQueue();
    const requests = ['a', 'b', 'c'].map((id) => ({ id, ...context() }));
    for (const request of requests) queueUsageEvent(request.ctx, sinkOf(queue).sink, event(request.id));
    expect(batches).toEqual([]);
    await Promise.all(requests.map((request) => request.settled()));
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('sends at once when a batch is full, and starts a new one', async () => {
    const { queue, batches } = fakeQueue();
    const { ctx, settled } = context();
    const { sink } = sinkOf(queue);
    for (let i = 0; i < 130; i++) queueUsageEvent(ctx, sink, event(`r${i}`));
    await settled();
    expect(batches.map((batch) => batch.length)).toEqual([100, 30]);
    expect(batches.flat()).toEqual(Array.from({ length: 130 }, (_, i) => `r${i}`));
  });

  it('retries a refused batch with backoff; a queue that keeps refusing hands the events to the durable path', async () => {
    let calls = 0;
    const flaky = { sendBatch: async () => (++calls === 1 ? Promise.reject(new Error('blip')) : undefined) } as unknown as Queue<unknown>;
    const first = context();
    const blip = sinkOf(flaky);
    queueUsageEvent(first.ctx, blip.sink, event('x'));
    await first.settled();
    expect(calls).toBe(2);
    expect(blip.persisted).toEqual([]);

    let refusals = 0;
    const down = { sendBatch: async () => Promise.reject(new Error(`queue down ${++refusals}`)) } as unknown as Queue<unknown>;
    const second = context();
    const outage = sinkOf(down);
    queueUsageEvent(second.ctx, outage.sink, event('y'));
    await expect(second.settled()).resolves.toBeDefined();
    expect(refusals).toBe(4);
    expect(outage.persisted).toEqual(['y']);
  });

  it('never throws into the request when even the durable path fails', async () => {
    const down = { sendBatch: async () => Promise.reject(new Error('queue down')) } as unknown as Queue<unknown>;
    const { ctx, settled } = context();
    queueUsageEvent(ctx, { queue: down, persist: async () => Promise.reject(new Error('disk on fire')) }, event('z'));
    await expect(settled()).resolves.toBeDefined();
  });
});
