import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { endTask } from '../../src/images/tasks/end-task';
import { runGenerationAttempt } from '../../src/images/queue/run-attempt';
import { getTask, putTask } from '../../src/images/tasks/task-store';
import { IllegalTransitionError, transition } from '../../src/images/tasks/transition';
import type { ImageTask } from '../../src/images/tasks/task';
import { fakeOpenAIImagesUpstream } from '../fakes/openai-images-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addImageProvider, balanceOf, captureQueue, ledgerRows, postImages, prepaidKey, setImagePrice, taskOf } from '../images/helpers';

const UPSTREAM = 'https://images.race';
const PRICE = 20_000;

/**
 * An image upstream that holds its answer until the test opens the gate, so a cancel or a failure
 * can be placed exactly between the attempt's start and its completion.
 */
const gatedUpstream = () => {
  const inner = fakeOpenAIImagesUpstream(UPSTREAM);
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let reached: () => void = () => undefined;
  const called = new Promise<void>((resolve) => (reached = resolve));
  installFakeUpstreams({
    [UPSTREAM]: async (request) => {
      reached();
      await gate;
      return inner.handler(request);
    },
  });
  return { open, called };
};

const submitted = async () => {
  captureQueue();
  const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
  await setImagePrice(model, PRICE);
  const key = await prepaidKey(50_000);
  const response = await postImages('/v1/images/generations', key.key, { model, prompt: 'a race' });
  expect(response.status).toBe(202);
  const { task_id: taskId } = (await response.json()) as { task_id: string };
  return { key, taskId };
};

/** KV is eventually consistent: another location may still read an older copy of the task. */
const makeKvStale = async (taskId: string, status: ImageTask['status']): Promise<void> => {
  const current = await env.TASKS.get<ImageTask>(`task:${taskId}`, 'json');
  if (current === null) throw new Error('task missing');
  await putTask(env, { ...current, status, result: null });
};

describe('cancel racing completion', () => {
  it('a cancel that reads a stale "pending" while the attempt runs is refused, and the completion is delivered without a refund', async () => {
    const upstream = gatedUpstream();
    const { key, taskId } = await submitted();
    const attempt = runGenerationAttempt(env, taskId);
    await upstream.called;
    await makeKvStale(taskId, 'pending');

    const cancel = await postImages(`/v1/tasks/${taskId}/cancel`, key.key, {});
    expect(cancel.status).toBe(409);
    upstream.open();
    await attempt;

    const task = await taskOf(taskId, key.key);
    expect(task.status).toBe('completed');
    expect(task.result?.urls).toHaveLength(1);
    expect(await ledgerRows(taskId)).toEqual([{ kind: 'charge', amount_micros: -PRICE }]);
    expect(await balanceOf(key.accountId)).toBe(50_000 - PRICE);
  });

  it('a completion that arrives after the task was ended and refunded publishes nothing, even when its KV read is stale', async () => {
    const upstream = gatedUpstream();
    const { key, taskId } = await submitted();
    const attempt = runGenerationAttempt(env, taskId);
    await upstream.called;
    const ended = await endTask(env, taskId, 'failed', { code: 'timeout', message: 'the task did not finish in time' }, Date.now(), ['running']);
    expect(ended?.status).toBe('failed');
    await makeKvStale(taskId, 'running');
    upstream.open();
    await attempt;

    const task = await taskOf(taskId, key.key);
    expect(task).toMatchObject({ status: 'failed', result: null });
    expect(await ledgerRows(taskId)).toEqual([
      { kind: 'charge', amount_micros: -PRICE },
      { kind: 'refund', amount_micros: PRICE },
    ]);
    expect(await balanceOf(key.accountId)).toBe(50_000);
  });

  it('of a claim and a cancel started together exactly one wins, and a refund follows only the cancel', async () => {
    installFakeUpstreams({ [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM).handler });
    for (let round = 0; round < 5; round++) {
      const { key, taskId } = await submitted();
      const task = (await getTask(env, taskId)) as ImageTask;
      const [claimed, cancelled] = await Promise.all([
        transition(env, task, 'running', { attempts: 1, now: Date.now() }),
        transition(env, task, 'cancelled', { error: null, now: Date.now() }),
      ]);
      expect((claimed === null) !== (cancelled === null)).toBe(true);
      expect(await ledgerRows(taskId)).toHaveLength(cancelled !== null ? 2 : 1);
      expect(await balanceOf(key.accountId)).toBe(cancelled !== null ? 50_000 : 50_000 - PRICE);
    }
  });

  it('refuses moves the transition table does not allow', async () => {
    const task = { id: 'media_0000000000000000000000000000000000000000', accountId: 'acct' };
    await expect(transition(env, { ...task, status: 'completed' }, 'failed', { now: Date.now() })).rejects.toBeInstanceOf(IllegalTransitionError);
    await expect(transition(env, { ...task, status: 'pending' }, 'completed', { now: Date.now() })).rejects.toBeInstanceOf(IllegalTransitionError);
    await expect(transition(env, { ...task, status: 'completed' }, 'cancelled', { error: null, now: Date.now() })).rejects.toBeInstanceOf(IllegalTransitionError);
  });
});
