import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { announceTerminal } from '../../src/images/tasks/end-task';
import { getTask } from '../../src/images/tasks/task-store';
import { consumeUsageBatch } from '../../src/usage/consumer';
import type { UsageEvent } from '../../src/usage/event';
import { fakeOpenAIImagesUpstream } from '../fakes/openai-images-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addImageProvider, balanceOf, captureQueue, consume, ledgerRows, postImages, prepaidKey, setImagePrice, take } from './helpers';

const UPSTREAM = 'https://images.fake';
const PRICE = 15_000;

/** Captures what the images code sends to USAGE_QUEUE, so the test runs the usage consumer itself. */
const captureUsage = (): UsageEvent[] => {
  const sent: UsageEvent[] = [];
  vi.spyOn(env.USAGE_QUEUE, 'send').mockImplementation(async (body: unknown) => {
    sent.push(body as UsageEvent);
    return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
  });
  return sent;
};

let messageSequence = 0;
const consumeUsage = async (events: readonly UsageEvent[]): Promise<void> => {
  const batch = createMessageBatch<UsageEvent>(
    'polyrelay-usage',
    events.map((body) => ({ id: `img_usage_${messageSequence++}`, timestamp: new Date(), attempts: 1, body })),
  );
  await consumeUsageBatch(batch, env);
  expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toHaveLength(events.length);
};

interface EventRow {
  model: string;
  provider_id: string | null;
  upstream_model: string | null;
  client_format: string;
  status: number;
  error_type: string | null;
  cost_micros: number;
  input_tokens: number;
  output_tokens: number;
  latency_ms: number;
  created_at: number;
}

const eventRows = async (requestId: string): Promise<EventRow[]> =>
  (await env.DB.prepare('SELECT * FROM usage_events WHERE request_id = ?1').bind(requestId).all<EventRow>()).results;

const dailyOf = (keyId: string) =>
  env.DB.prepare('SELECT model, requests, cost_micros FROM usage_daily WHERE key_id = ?1').bind(keyId).all<{ model: string; requests: number; cost_micros: number }>();

const setup = async (script: Parameters<typeof fakeOpenAIImagesUpstream>[1]) => {
  installFakeUpstreams({ [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM, script).handler });
  const sent = captureQueue();
  const usage = captureUsage();
  const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
  await setImagePrice(model, PRICE);
  const key = await prepaidKey(100_000);
  const response = await postImages('/v1/images/generations', key.key, { model, prompt: 'a kite' });
  expect(response.status).toBe(202);
  const { task_id: taskId } = (await response.json()) as { task_id: string };
  expect(await balanceOf(key.accountId)).toBe(100_000 - PRICE);
  return { sent, usage, model, key, taskId };
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('image task usage events', () => {
  it('a completed task records one usage event at its price, without a second debit', async () => {
    const { sent, usage, model, key, taskId } = await setup([]);
    expect(usage).toEqual([]);
    const generate = take(sent, 'generate');
    await consume(generate);
    expect(usage).toHaveLength(1);
    const task = await getTask(env, taskId);
    expect(usage[0]).toMatchObject({
      requestId: taskId,
      model,
      keyId: key.id,
      accountId: key.accountId,
      providerId: task?.providerId,
      clientFormat: 'openai-images',
      status: 200,
      errorType: null,
      stream: false,
      costMicros: PRICE,
      ledgerSettled: true,
      createdAt: task?.createdAt,
    });

    // Redelivered usage messages, in one batch and again later, and a redelivered generate message.
    await consumeUsage([...usage, ...usage]);
    await consumeUsage(usage);
    await consume(generate.map((entry) => ({ ...entry, attempts: 2 })));
    await consumeUsage(usage);

    const rows = await eventRows(taskId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ model, client_format: 'openai-images', status: 200, error_type: null, cost_micros: PRICE, input_tokens: 0, output_tokens: 0 });
    expect(rows[0]?.provider_id).toBeTruthy();
    expect(rows[0]?.latency_ms).toBeGreaterThanOrEqual(0);
    expect((await dailyOf(key.id)).results).toEqual([{ model, requests: 1, cost_micros: PRICE }]);
    expect(await ledgerRows(taskId)).toEqual([{ kind: 'charge', amount_micros: -PRICE }]);
    expect(await balanceOf(key.accountId)).toBe(100_000 - PRICE);
  });

  it('announcing the same terminal task twice still stores one row', async () => {
    const { sent, usage, key, taskId } = await setup([]);
    await consume(take(sent, 'generate'));
    const task = await getTask(env, taskId);
    if (task === null) throw new Error('task missing');
    await announceTerminal(env, task);
    expect(usage).toHaveLength(2);
    expect(usage[1]).toEqual(usage[0]);
    await consumeUsage(usage.slice(0, 1));
    await consumeUsage(usage.slice(1));
    expect(await eventRows(taskId)).toHaveLength(1);
    expect((await dailyOf(key.id)).results[0]).toMatchObject({ requests: 1, cost_micros: PRICE });
    expect(await balanceOf(key.accountId)).toBe(100_000 - PRICE);
  });

  it('a failed task records cost 0 and its failure status; the balance moves by the charge and the refund only', async () => {
    const { sent, usage, model, key, taskId } = await setup([{ status: 400, message: 'Invalid size' }]);
    await consume(take(sent, 'generate'));
    expect(usage).toHaveLength(1);
    await consumeUsage([...usage, ...usage]);

    const rows = await eventRows(taskId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ model, client_format: 'openai-images', status: 502, error_type: 'upstream_error', cost_micros: 0 });
    expect((await dailyOf(key.id)).results).toEqual([{ model, requests: 1, cost_micros: 0 }]);
    expect(await ledgerRows(taskId)).toEqual([
      { kind: 'charge', amount_micros: -PRICE },
      { kind: 'refund', amount_micros: PRICE },
    ]);
    expect(await balanceOf(key.accountId)).toBe(100_000);
  });

  it('a cancelled task records status 499 and cost 0', async () => {
    const { sent, usage, key, taskId } = await setup([]);
    expect((await postImages(`/v1/tasks/${taskId}/cancel`, key.key, {})).status).toBe(200);
    await consume(take(sent, 'generate'));
    expect(usage).toHaveLength(1);
    await consumeUsage(usage);
    const rows = await eventRows(taskId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 499, error_type: 'cancelled', cost_micros: 0, provider_id: null });
    expect(await balanceOf(key.accountId)).toBe(100_000);
  });
});
