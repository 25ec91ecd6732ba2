import OpenAI, { toFile } from 'openai';
import { describe, expect, inject, it } from 'vitest';
import { encodeMockPng } from '../../src/images/upstreams/mock';
import { ONE_PIXEL_PNG } from '../fakes/openai-images-upstream';

const relayUrl = inject('relayUrl');
const waiting = new OpenAI({ apiKey: inject('relayKey'), baseURL: `${relayUrl}/v1`, maxRetries: 0, defaultHeaders: { Prefer: 'wait=30' } });
const INPUT = encodeMockPng(64, 32, 42);

const pngSize = (bytes: Uint8Array) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
};

describe('openai SDK images.edit → the mock image model', () => {
  it('edits two uploaded files (multipart image[]) and answers in the OpenAI images shape', async () => {
    const image = [await toFile(INPUT, 'scene.png', { type: 'image/png' }), await toFile(ONE_PIXEL_PNG, 'dot.png', { type: 'image/png' })];
    const edited = await waiting.images.edit({ image, prompt: 'put the dot in the scene', model: 'mock-image', response_format: 'b64_json' });
    const b64 = edited.data?.[0]?.b64_json ?? '';
    const bytes = Uint8Array.from(Buffer.from(b64, 'base64'));
    // The mock keeps the first input's shape (size defaults to auto), at 1/16.
    expect(pngSize(bytes)).toEqual({ width: 4, height: 2 });

    const again = await waiting.images.edit({ image: [await toFile(INPUT, 'scene.png', { type: 'image/png' })], prompt: 'put the dot in the scene', model: 'mock-image' });
    const url = again.data?.[0]?.url ?? '';
    expect(url.startsWith(`${relayUrl}/v1/files/file_`)).toBe(true);
    const file = await fetch(url);
    expect(file.headers.get('content-type')).toBe('image/png');
  });

  it('without Prefer: wait, answers 202 and the task completes on the queue', async () => {
    const key = inject('relayKey');
    const form = new FormData();
    form.append('model', 'mock-image');
    form.append('prompt', 'a hat');
    form.append('image', new Blob([Uint8Array.from(INPUT)], { type: 'image/png' }), 'scene.png');
    const submitted = await fetch(`${relayUrl}/v1/images/edits`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
    expect(submitted.status).toBe(202);
    const location = submitted.headers.get('location') ?? '';
    let task = (await submitted.json()) as { status: string; result: { urls: string[] } | null };
    for (let poll = 0; poll < 40 && task.status !== 'completed' && task.status !== 'failed'; poll++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      task = (await (await fetch(`${relayUrl}${location}`, { headers: { authorization: `Bearer ${key}` } })).json()) as typeof task;
    }
    expect(task.status).toBe('completed');
    expect(task.result?.urls).toHaveLength(1);
  });

  it('refuses a missing image in the OpenAI error shape', async () => {
    const error = await waiting.images.edit({ image: [], prompt: 'nothing', model: 'mock-image' }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: 'image' });
  });
});
