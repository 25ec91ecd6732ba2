import { describe, expect, it } from 'vitest';
import { fakeOpenAIImagesUpstream } from '../fakes/openai-images-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addImageProvider, captureQueue, consume, getWithKey, imageKey, postImages, take } from './helpers';

const UPSTREAM = 'https://images.fake';

/** Reads SSE frames off a response until it ends, calling back after each one. */
const readEvents = async (response: Response, onEvent: (event: { event: string; data: { status: string } }) => Promise<void>): Promise<string[]> => {
  const reader = (response.body ?? new ReadableStream()).pipeThrough(new TextDecoderStream()).getReader();
  const statuses: string[] = [];
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return statuses;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1] ?? '';
      const data = JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? '{}') as { status: string };
      statuses.push(data.status);
      await onEvent({ event, data });
    }
  }
};

describe('GET /v1/tasks/{id}/events', () => {
  it('streams status changes and closes after the terminal one', async () => {
    installFakeUpstreams({ [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM, [{ status: 500 }]).handler });
    const sent = captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    const key = await imageKey();
    const { task_id: taskId } = (await (await postImages('/v1/images/generations', key.key, { model, prompt: 'watch me' })).json()) as { task_id: string };
    const response = await getWithKey(`/v1/tasks/${taskId}/events`, key.key);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const message = take(sent, 'generate');
    let step = 0;
    const statuses = await readEvents(response, async ({ event }) => {
      expect(event).toBe('status');
      // First delivery fails (back to pending, attempt 1), the retry completes.
      if (step === 0) await consume(message);
      if (step === 1) await consume(message.map((entry) => ({ ...entry, attempts: 2 })));
      step++;
    });
    expect(statuses).toEqual(['pending', 'pending', 'completed']);
  });

  it('sends one event and closes for a task that is already terminal', async () => {
    installFakeUpstreams({ [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM).handler });
    const sent = captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    const key = await imageKey();
    const { task_id: taskId } = (await (await postImages('/v1/images/generations', key.key, { model, prompt: 'done already' })).json()) as { task_id: string };
    await consume(take(sent, 'generate'));
    const statuses = await readEvents(await getWithKey(`/v1/tasks/${taskId}/events`, key.key), async () => {});
    expect(statuses).toEqual(['completed']);
  });
});
