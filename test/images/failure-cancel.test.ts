import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sweepStuckTasks } from '../../src/images/queue/sweep';
import { fakeOpenAIImagesUpstream } from '../fakes/openai-images-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addImageProvider, balanceOf, captureQueue, consume, ledgerRows, postImages, prepaidKey, setImagePrice, take, taskOf } from './helpers';

const UPSTREAM = 'https://images.fake';

const setup = async (script: Parameters<typeof fakeOpenAIImagesUpstream>[1]) => {
  const fake = fakeOpenAIImagesUpstream(UPSTREAM, script);
  installFakeUpstreams({ [UPSTREAM]: fake.handler });
  const sent = captureQueue();
  const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
  await setImagePrice(model, 20_000);
  const key = await prepaidKey(50_000);
  const response = await postImages('/v1/images/generations', key.key, { model, prompt: 'a boat' });
  expect(response.status).toBe(202);
  const { task_id: taskId } = (await response.json()) as { task_id: string };
  return { fake, sent, model, key, taskId };
};

describe('failures', () => {
  it('retries with backoff up to the limit, then fails and refunds exactly once', async () => {
    const { fake, sent, key, taskId } = await setup([{ status: 500 }, 'not-an-image', { status: 502 }]);
    expect(await balanceOf(key.accountId)).toBe(30_000);
    const message = take(sent, 'generate');

    const first = await consume(message);
    expect(first.retryMessages).toEqual([{ msgId: first.ids[0] }]);
    expect(first.delays).toEqual([{ msgId: first.ids[0], delaySeconds: 5 }]);
    expect(await taskOf(taskId, key.key)).toMatchObject({ status: 'pending', attempts: 1, error: { code: 'upstream_error' } });
    const second = await consume(message.map((entry) => ({ ...entry, attempts: 2 })));
    expect(second.delays).toEqual([{ msgId: second.ids[0], delaySeconds: 10 }]);
    expect((await taskOf(taskId, key.key)).error?.code).toBe('invalid_output');
    const third = await consume(message.map((entry) => ({ ...entry, attempts: 3 })));
    expect(third.explicitAcks).toEqual(third.ids);
    expect(fake.calls).toHaveLength(3);

    const failed = await taskOf(taskId, key.key);
    expect(failed).toMatchObject({ status: 'failed', attempts: 3 });
    // The client sees a relay error; the upstream's own words (status, provider id) stay in the log.
    expect(failed.error).toEqual({ code: 'upstream_error', message: 'the image upstream failed to generate the image' });
    expect(await balanceOf(key.accountId)).toBe(50_000);

    // A redelivered message and a later sweep change nothing: no upstream call, no second refund.
    await consume(message.map((entry) => ({ ...entry, attempts: 4 })));
    await sweepStuckTasks(env, Date.now() + 3_600_000);
    expect(fake.calls).toHaveLength(3);
    expect(await ledgerRows(taskId)).toEqual([
      { kind: 'charge', amount_micros: -20_000 },
      { kind: 'refund', amount_micros: 20_000 },
    ]);
    expect(await balanceOf(key.accountId)).toBe(50_000);
  });

  it('fails at once, with a relay message and not the upstream one, when the upstream refuses the request (400)', async () => {
    const { sent, key, taskId } = await setup([{ status: 400, message: 'Invalid size' }]);
    const result = await consume(take(sent, 'generate'));
    expect(result.explicitAcks).toEqual(result.ids);
    const failed = await taskOf(taskId, key.key);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.error?.message).not.toContain('Invalid size');
    expect(failed.error).toMatchObject({ code: 'upstream_error' });
    expect(await balanceOf(key.accountId)).toBe(50_000);
  });
});

describe('cancel', () => {
  it('cancels a pending task: refund, and the queued message makes no upstream call', async () => {
    const { fake, sent, key, taskId } = await setup([]);
    const cancelled = await postImages(`/v1/tasks/${taskId}/cancel`, key.key, {});
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ task_id: taskId, status: 'cancelled' });
    expect(await balanceOf(key.accountId)).toBe(50_000);

    const result = await consume(take(sent, 'generate'));
    expect(result.explicitAcks).toEqual(result.ids);
    expect(fake.calls).toHaveLength(0);
    expect((await taskOf(taskId, key.key)).status).toBe('cancelled');

    const again = await postImages(`/v1/tasks/${taskId}/cancel`, key.key, {});
    expect(again.status).toBe(200);
    expect(await ledgerRows(taskId)).toHaveLength(2);
  });

  it('refuses to cancel a completed task with 409', async () => {
    const { sent, key, taskId } = await setup([]);
    await consume(take(sent, 'generate'));
    const response = await postImages(`/v1/tasks/${taskId}/cancel`, key.key, {});
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: { code: 'task_not_cancellable' } });
    expect(await balanceOf(key.accountId)).toBe(30_000);
  });

  it('refuses a submit the prepaid balance cannot cover, leaving no task behind', async () => {
    installFakeUpstreams({ [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM).handler });
    const sent = captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    await setImagePrice(model, 20_000);
    const key = await prepaidKey(10_000);
    const response = await postImages('/v1/images/generations', key.key, { model, prompt: 'too dear' });
    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({ error: { code: 'insufficient_quota' } });
    expect(sent).toEqual([]);
    expect(await balanceOf(key.accountId)).toBe(10_000);
  });
});
