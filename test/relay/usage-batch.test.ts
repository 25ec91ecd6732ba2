import { describe, expect, it } from 'vitest';
import { emptyUsage } from '../../src/ir/usage';
import { queueUsageEvent } from '../../src/relay/usage-batch';
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
      batches.push([...messages].map((message) => (message.body as UsageEvent).requestId));
    },
  } as unknown as Queue<unknown>;
  return { queue, batches };
};

const context = () => {
  const waited: Promise<unknown>[] = [];
  return { ctx: { waitUntil: (promise: Promise<unknown>) => waited.push(promise) }, settled: () => Promise.all(waited) };
};

describe('queueUsageEvent', () => {
  it('sends the events of concurrent requests as one batch, and each request waits for it', async () => {
    const { queue, batches } = fakeQueue();
    const requests = ['a', 'b', 'c'].map((id) => ({ id, ...context() }));
    for (const request of requests) queueUsageEvent(request.ctx, queue, event(request.id));
    expect(batches).toEqual([]);
    await Promise.all(requests.map((request) => request.settled()));
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('sends at once when a batch is full, and starts a new one', async () => {
    const { queue, batches } = fakeQueue();
    const { ctx, settled } = context();
    for (let i = 0; i < 130; i++) queueUsageEvent(ctx, queue, event(`r${i}`));
    await settled();
    expect(batches.map((batch) => batch.length)).toEqual([100, 30]);
    expect(batches.flat()).toEqual(Array.from({ length: 130 }, (_, i) => `r${i}`));
  });

  it('retries a refused batch once, and never throws into the request', async () => {
    let calls = 0;
    const flaky = { sendBatch: async () => (++calls === 1 ? Promise.reject(new Error('blip')) : undefined) } as unknown as Queue<unknown>;
    const first = context();
    queueUsageEvent(first.ctx, flaky, event('x'));
    await first.settled();
    expect(calls).toBe(2);

    const down = { sendBatch: async () => Promise.reject(new Error('queue down')) } as unknown as Queue<unknown>;
    const second = context();
    queueUsageEvent(second.ctx, down, event('y'));
    await expect(second.settled()).resolves.toBeDefined();
  });
});
