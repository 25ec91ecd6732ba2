import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { ONE_PIXEL_PNG, fakeOpenAIImagesUpstream } from '../fakes/openai-images-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { BASE, addImageProvider, balanceOf, callImages, captureQueue, imageKey, postImages, prepaidKey, setImagePrice, take, taskOf } from './helpers';

const UPSTREAM = 'https://images.fake';

const sdkFor = (key: string) =>
  new OpenAI({
    apiKey: key,
    baseURL: `${BASE}/v1`,
    defaultHeaders: { Prefer: 'wait=30' },
    maxRetries: 0,
    fetch: (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      return callImages(`${url.pathname}${url.search}`, { method: request.method, headers: request.headers, body: init?.body ?? null });
    },
  });

describe('Prefer: wait', () => {
  it("makes the OpenAI SDK's images.generate work (url and b64_json)", async () => {
    const fake = fakeOpenAIImagesUpstream(UPSTREAM);
    installFakeUpstreams({ [UPSTREAM]: fake.handler });
    const sent = captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    const key = await imageKey();
    const openai = sdkFor(key.key);

    const byUrl = await openai.images.generate({ model, prompt: 'a red fox', size: '1024x1024' });
    const url = byUrl.data?.[0]?.url ?? '';
    expect(url).toMatch(/\/v1\/files\/file_/);
    expect(new Uint8Array(await (await callImages(new URL(url).pathname)).arrayBuffer())).toEqual(ONE_PIXEL_PNG);

    const byB64 = await openai.images.generate({ model, prompt: 'a red fox', response_format: 'b64_json' });
    expect(byB64.data?.[0]?.b64_json).toBe(btoa(String.fromCharCode(...ONE_PIXEL_PNG)));
    // The first attempt ran inside the request: nothing went through the queue.
    expect(take(sent, 'generate')).toEqual([]);
    expect(fake.calls).toHaveLength(2);
  });

  it('surfaces a terminal failure as an OpenAI error the SDK raises, with the charge refunded', async () => {
    installFakeUpstreams({ [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM, [{ status: 400, message: 'prompt rejected by safety system' }]).handler });
    captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    await setImagePrice(model, 5_000);
    const key = await prepaidKey(10_000);
    const error = await sdkFor(key.key)
      .images.generate({ model, prompt: 'nope' })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    // The relay's own words: the upstream's message stays in the log.
    expect(error).toMatchObject({ status: 502, message: expect.stringContaining('the image upstream failed to generate the image') });
    expect(String((error as Error).message)).not.toContain('prompt rejected by safety system');
    expect(await balanceOf(key.accountId)).toBe(10_000);
  });

  it('answers 202 with the task when the wait runs out, and the queue carries the retry', async () => {
    installFakeUpstreams({ [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM, [{ status: 503 }]).handler });
    const sent = captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    const key = await imageKey();
    const response = await postImages('/v1/images/generations', key.key, { model, prompt: 'slow' }, { prefer: 'wait=1' });
    expect(response.status).toBe(202);
    const task = (await response.json()) as { task_id: string; status: string };
    expect(task.status).toBe('pending');
    expect(take(sent, 'generate')).toEqual([{ body: { kind: 'generate', taskId: task.task_id }, delaySeconds: 5 }]);
    expect((await taskOf(task.task_id, key.key)).error).toMatchObject({ code: 'upstream_error' });
  });
});
