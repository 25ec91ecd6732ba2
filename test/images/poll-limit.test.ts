import { describe, expect, it } from 'vitest';
import { MAX_TASK_EVENT_STREAMS, TASK_POLLS_PER_MINUTE } from '../../src/images/http/poll-limit';
import { fakeOpenAIImagesUpstream } from '../fakes/openai-images-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addImageProvider, captureQueue, getWithKey, imageKey, postImages } from './helpers';

const UPSTREAM = 'https://images.polled';

const submitTask = async (key: string, model: string): Promise<string> => {
  const response = await postImages('/v1/images/generations', key, { model, prompt: 'poll me' });
  expect(response.status).toBe(202);
  return ((await response.json()) as { task_id: string }).task_id;
};

const setup = async () => {
  installFakeUpstreams({ [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM).handler });
  captureQueue();
  const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
  return { model, key: await imageKey() };
};

interface OpenAIError {
  error: { message: string; type: string; code: string };
}

describe('task polling is metered per key', () => {
  it('a minute of five tasks polled every second passes; a key polling past that is answered 429 with retry-after, other keys and new submits unaffected', async () => {
    const { model, key } = await setup();
    const tasks = await Promise.all(Array.from({ length: 5 }, () => submitTask(key.key, model)));
    // 60 reads per task: what a client polling each of its five tasks once a second sends in a minute.
    for (let round = 0; round < TASK_POLLS_PER_MINUTE / tasks.length; round++) {
      const statuses = await Promise.all(tasks.map(async (id) => (await getWithKey(`/v1/tasks/${id}`, key.key)).status));
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
    }

    const refused = await getWithKey(`/v1/tasks/${tasks[0]}`, key.key);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as OpenAIError;
    expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(body.error.message).toContain(`task polling limit of ${TASK_POLLS_PER_MINUTE}`);
    // An unknown id is a read too: enumeration is metered like polling.
    expect((await getWithKey('/v1/tasks/media_0000000000000000000000000000000000000000', key.key)).status).toBe(429);
    expect((await getWithKey(`/v1/tasks/${tasks[0]}/events`, key.key)).status).toBe(429);

    // Polling spends its own allowance, not the key's generation requests, nor another key's reads.
    await submitTask(key.key, model);
    const other = await imageKey();
    const otherTask = await submitTask(other.key, model);
    expect((await getWithKey(`/v1/tasks/${otherTask}`, other.key)).status).toBe(200);
  });

  it(`holds at most ${MAX_TASK_EVENT_STREAMS} open event streams per key, and a closed stream frees its slot`, async () => {
    const { model, key } = await setup();
    const taskId = await submitTask(key.key, model);
    const streams: Response[] = [];
    for (let index = 0; index < MAX_TASK_EVENT_STREAMS; index++) {
      const response = await getWithKey(`/v1/tasks/${taskId}/events`, key.key);
      expect(response.status).toBe(200);
      streams.push(response);
    }
    const refused = await getWithKey(`/v1/tasks/${taskId}/events`, key.key);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as OpenAIError).error.message).toContain(`limit of ${MAX_TASK_EVENT_STREAMS} open task event streams`);
    // Plain polling still works while every stream slot is taken.
    expect((await getWithKey(`/v1/tasks/${taskId}`, key.key)).status).toBe(200);

    await streams[0]?.body?.cancel();
    // The stream notices the client left at its next one-second poll, then gives its slot back.
    let reopened = 429;
    for (let attempt = 0; attempt < 20 && reopened === 429; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const response = await getWithKey(`/v1/tasks/${taskId}/events`, key.key);
      reopened = response.status;
      streams.push(response);
      if (response.status === 429) await response.body?.cancel();
    }
    expect(reopened).toBe(200);
    await Promise.all(streams.slice(1).map((response) => response.body?.cancel()));
  });
});
