import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getTask, putTask } from '../../src/images/tasks/task-store';
import { sweepStuckTasks, STUCK_AFTER_MS } from '../../src/images/queue/sweep';
import { MAX_WEBHOOK_ATTEMPTS } from '../../src/images/queue/webhook';
import { fakeOpenAIImagesUpstream } from '../fakes/openai-images-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addImageProvider, balanceOf, captureQueue, consume, getWithKey, ledgerRows, postImages, prepaidKey, setImagePrice, take, taskOf } from './helpers';

const UPSTREAM = 'https://images.fake';
const HOOKS = 'https://hooks.example';

const hex = (buffer: ArrayBuffer) => Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, '0')).join('');

/**
 * How a receiver verifies a delivery: recompute the HMAC over `${timestamp}.${task_id}.${body}` with
 * its account's secret (GET /v1/images/webhook-secret), taking the task id from the body it parsed.
 */
const verify = async (request: Request, secret: string): Promise<{ valid: boolean; body: string }> => {
  const body = await request.text();
  const timestamp = request.headers.get('x-polyrelay-timestamp') ?? '';
  const taskId = (JSON.parse(body) as { task_id: string }).task_id;
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const expected = hex(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${timestamp}.${taskId}.${body}`)));
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return { valid: fresh && expected === request.headers.get('x-polyrelay-signature'), body };
};

describe('webhooks', () => {
  it('posts the signed final task JSON, retrying with backoff after a 500', async () => {
    const received: Array<{ valid: boolean; body: string }> = [];
    const statuses = [500, 200];
    const key = await prepaidKey(0);
    const { secret } = (await (await getWithKey('/v1/images/webhook-secret', key.key)).json()) as { secret: string };
    installFakeUpstreams({
      [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM).handler,
      [HOOKS]: async (request) => {
        received.push(await verify(request, secret));
        return new Response('ok', { status: statuses[received.length - 1] ?? 200 });
      },
    });
    const sent = captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    const submitted = await postImages('/v1/images/generations', key.key, { model, prompt: 'hook me', webhook_url: `${HOOKS}/cb?token=abc` });
    const { task_id: taskId } = (await submitted.json()) as { task_id: string };
    await consume(take(sent, 'generate'));
    const webhook = take(sent, 'webhook');
    expect(webhook.map((message) => message.body)).toEqual([{ kind: 'webhook', taskId }]);

    const first = await consume(webhook);
    expect(first.delays).toEqual([{ msgId: first.ids[0], delaySeconds: 10 }]);
    expect((await taskOf(taskId, key.key)).webhook).toMatchObject({ state: 'retrying', attempts: [{ attempt: 1, status: 500 }] });
    const second = await consume(webhook.map((message) => ({ ...message, attempts: 2 })));
    expect(second.explicitAcks).toEqual(second.ids);

    expect(received.map((delivery) => delivery.valid)).toEqual([true, true]);
    const payload = JSON.parse(received[1]?.body ?? '{}') as { task_id: string; status: string; result: { urls: string[] } };
    expect(payload).toMatchObject({ task_id: taskId, status: 'completed' });
    expect(payload.result.urls).toHaveLength(1);
    const state = (await taskOf(taskId, key.key)).webhook;
    expect(state).toMatchObject({ url: `${HOOKS}/cb?token=abc`, state: 'delivered', attempts: [{ attempt: 1, status: 500 }, { attempt: 2, status: 200, error: null }] });

    // Delivered is final: a redelivered message posts nothing.
    await consume(webhook.map((message) => ({ ...message, attempts: 3 })));
    expect(received).toHaveLength(2);
  });

  it('dead-letters after the attempt limit, with every attempt in the task state', async () => {
    installFakeUpstreams({ [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM).handler, [HOOKS]: () => new Response('down', { status: 503 }) });
    const sent = captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    const key = await prepaidKey(0);
    const { task_id: taskId } = (await (await postImages('/v1/images/generations', key.key, { model, prompt: 'x', webhook_url: `${HOOKS}/cb` })).json()) as { task_id: string };
    await consume(take(sent, 'generate'));
    const webhook = take(sent, 'webhook');
    for (let attempt = 1; attempt <= MAX_WEBHOOK_ATTEMPTS; attempt++) {
      const result = await consume(webhook.map((message) => ({ ...message, attempts: attempt })));
      // retry() on the last attempt is what moves the message past max_retries into the DLQ.
      expect(result.retryMessages).toHaveLength(1);
    }
    const state = (await taskOf(taskId, key.key)).webhook;
    expect(state?.state).toBe('dead_lettered');
    expect(state?.attempts.map((attempt) => attempt.status)).toEqual(Array.from({ length: MAX_WEBHOOK_ATTEMPTS }, () => 503));
  });
});

describe('sweepStuckTasks', () => {
  it('fails and refunds tasks stuck running or pending, and leaves fresh ones alone', async () => {
    installFakeUpstreams({ [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM).handler });
    captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    await setImagePrice(model, 3_000);
    const key = await prepaidKey(10_000);
    const ids: string[] = [];
    for (let index = 0; index < 2; index++) {
      const response = await postImages('/v1/images/generations', key.key, { model, prompt: `stuck ${index}` });
      ids.push(((await response.json()) as { task_id: string }).task_id);
    }
    const [runningId = ''] = ids;
    const running = await getTask(env, runningId);
    if (running === null) throw new Error('task missing');
    await putTask(env, { ...running, status: 'running', attempts: 1, updatedAt: Date.now() });
    expect(await balanceOf(key.accountId)).toBe(4_000);

    expect(await sweepStuckTasks(env, Date.now() + 60_000)).toBe(0);
    expect(await sweepStuckTasks(env, Date.now() + STUCK_AFTER_MS + 1_000)).toBe(2);
    for (const id of ids) {
      expect(await taskOf(id, key.key)).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
      expect(await ledgerRows(id)).toHaveLength(2);
    }
    expect(await balanceOf(key.accountId)).toBe(10_000);
    expect(await sweepStuckTasks(env, Date.now() + 2 * STUCK_AFTER_MS)).toBe(0);
  });
});
