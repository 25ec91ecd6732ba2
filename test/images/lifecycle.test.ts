import { describe, expect, it } from 'vitest';
import { ONE_PIXEL_PNG, fakeOpenAIImagesUpstream } from '../fakes/openai-images-upstream';
import { addMockProvider } from '../setup/seed';
import { installFakeUpstreams } from '../setup/fake-network';
import { addImageProvider, balanceOf, callImages, captureQueue, consume, getWithKey, imageKey, ledgerRows, postImages, prepaidKey, setImagePrice, take, taskOf } from './helpers';

const UPSTREAM = 'https://images.fake';

describe('image task lifecycle', () => {
  it('submits (202, charged), consumes, completes and serves the bytes from KV', async () => {
    const fake = fakeOpenAIImagesUpstream(UPSTREAM);
    installFakeUpstreams({ [UPSTREAM]: fake.handler });
    const sent = captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    await setImagePrice(model, 12_000);
    const key = await prepaidKey(100_000);

    const submitted = await postImages('/v1/images/generations', key.key, { model, prompt: '一只在月球上的猫', size: '3:2' });
    expect(submitted.status).toBe(202);
    const task = (await submitted.json()) as { task_id: string; status: string; model: string; charge: string };
    expect(task).toMatchObject({ status: 'pending', model, charge: '0.01200' });
    expect(task.task_id).toMatch(/^media_[0-9a-f]{40}$/);
    expect(await balanceOf(key.accountId)).toBe(88_000);
    expect(await ledgerRows(task.task_id)).toEqual([{ kind: 'charge', amount_micros: -12_000 }]);

    const generate = take(sent, 'generate');
    expect(generate.map((message) => message.body)).toEqual([{ kind: 'generate', taskId: task.task_id }]);
    const result = await consume(generate);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(fake.calls).toEqual([{ model, prompt: '一只在月球上的猫', n: 1, size: '1536x1024' }]);
    expect(fake.authorizations).toEqual(['Bearer sk-upstream-secret']);

    const done = await taskOf(task.task_id, key.key);
    expect(done).toMatchObject({ status: 'completed', attempts: 1, error: null });
    const [url] = done.result?.urls ?? [];
    expect(url).toMatch(/^http:\/\/relay\.test\/v1\/files\/file_[0-9a-f]{48}$/);
    const file = await callImages(new URL(url ?? '').pathname);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(ONE_PIXEL_PNG);
    expect(await balanceOf(key.accountId)).toBe(88_000);
  });

  it('downloads a url answer and accepts the /v1/images/tasks alias form', async () => {
    const fake = fakeOpenAIImagesUpstream(UPSTREAM, ['url']);
    installFakeUpstreams({ [UPSTREAM]: fake.handler });
    const sent = captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    const key = await imageKey();
    const submitted = await postImages('/v1/images/tasks', key.key, { model, prompt: 'a lighthouse', aspect_ratio: '16:9', image_size: '4K' });
    expect(submitted.status).toBe(202);
    const { task_id } = (await submitted.json()) as { task_id: string };
    await consume(take(sent, 'generate'));
    expect(fake.calls[0]).toMatchObject({ size: '3840x2160' });
    const done = await taskOf(task_id, key.key);
    expect(done.status).toBe('completed');
    const file = await callImages(new URL(done.result?.urls[0] ?? '').pathname);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(ONE_PIXEL_PNG);
  });

  it('generates through a gemini provider with responseModalities IMAGE and inline input images', async () => {
    const bodies: unknown[] = [];
    const pngB64 = btoa(String.fromCharCode(...ONE_PIXEL_PNG));
    installFakeUpstreams({
      'https://gemini.fake': async (request) => {
        expect(request.headers.get('x-goog-api-key')).toBe('sk-upstream-secret');
        bodies.push({ path: new URL(request.url).pathname, body: await request.json() });
        return Response.json({ candidates: [{ content: { role: 'model', parts: [{ text: 'here' }, { inlineData: { mimeType: 'image/png', data: pngB64 } }] }, finishReason: 'STOP' }] });
      },
    });
    const sent = captureQueue();
    const model = await addImageProvider('gemini', 'https://gemini.fake');
    const key = await imageKey();
    const dataUri = `data:image/png;base64,${pngB64}`;
    const submitted = await postImages('/v1/images/generations', key.key, { model, prompt: 'make it blue', size: '21:9', resolution: '2k', image_urls: [dataUri] });
    expect(submitted.status).toBe(202);
    const { task_id } = (await submitted.json()) as { task_id: string };
    await consume(take(sent, 'generate'));
    expect(bodies).toEqual([
      {
        path: `/v1beta/models/${model}:generateContent`,
        body: {
          contents: [{ role: 'user', parts: [{ text: 'make it blue' }, { inlineData: { mimeType: 'image/png', data: pngB64 } }] }],
          generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '21:9', imageSize: '2K' } },
        },
      },
    ]);
    expect((await taskOf(task_id, key.key)).status).toBe('completed');
  });

  it('runs on the built-in mock provider with a deterministic PNG', async () => {
    const sent = captureQueue();
    await addMockProvider();
    const key = await imageKey();
    const urls: string[] = [];
    for (let round = 0; round < 2; round++) {
      const submitted = await postImages('/v1/images/generations', key.key, { model: 'mock-image', prompt: 'same prompt' });
      const { task_id } = (await submitted.json()) as { task_id: string };
      await consume(take(sent, 'generate'));
      urls.push((await taskOf(task_id, key.key)).result?.urls[0] ?? '');
    }
    const [first, second] = await Promise.all(urls.map(async (url) => new Uint8Array(await (await callImages(new URL(url).pathname)).arrayBuffer())));
    expect(urls[0]).not.toBe(urls[1]);
    expect(first).toEqual(second);
    expect(Array.from(first?.subarray(0, 4) ?? [])).toEqual([0x89, 0x50, 0x4e, 0x47]);
    // IHDR: 1024x1024 at 1/16 scale
    const view = new DataView((first ?? new Uint8Array()).buffer);
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([64, 64]);
  });

  it('answers unknown and malformed file ids with 404', async () => {
    expect((await callImages('/v1/files/file_000000000000000000000000000000000000000000000000')).status).toBe(404);
    expect((await callImages('/v1/files/../../task')).status).toBe(404);
    const key = await imageKey();
    expect((await getWithKey('/v1/tasks/media_nope', key.key)).status).toBe(404);
  });
});
