import { env } from 'cloudflare:workers';
import OpenAI, { toFile } from 'openai';
import { describe, expect, it, vi } from 'vitest';
import type { Env } from '../../src/env';
import { MAX_IMAGE_BYTES } from '../../src/images/image-bytes';
import { encodeMockPng } from '../../src/images/upstreams/mock';
import type { UsageEvent } from '../../src/usage/event';
import { ONE_PIXEL_PNG, fakeOpenAIImagesUpstream } from '../fakes/openai-images-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addMockProvider } from '../setup/seed';
import { BASE, addImageProvider, callImages, captureQueue, consume, imageKey, setImagePrice, take, taskOf } from './helpers';

const UPSTREAM = 'https://images.edits';
const GEMINI = 'https://gemini.edits';
const PNG_32X16 = encodeMockPng(32, 16, 7);
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

interface Upload {
  field: string;
  bytes: Uint8Array;
  name?: string;
}

const editForm = (fields: Record<string, string>, files: Upload[]): FormData => {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const file of files) form.append(file.field, new File([file.bytes], file.name ?? `${file.field}.png`, { type: 'image/png' }));
  return form;
};

const postEdit = (key: string, body: FormData | string, headers: Record<string, string> = {}, bindings: Env = env) =>
  callImages('/v1/images/edits', { method: 'POST', headers: { authorization: `Bearer ${key}`, ...headers }, body }, bindings);

/** PNG width and height from IHDR. */
const pngSize = (bytes: Uint8Array) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
};

const mockModel = () => `mock-edit-${crypto.randomUUID().slice(0, 8)}`;

const captureUsage = (): UsageEvent[] => {
  const sent: UsageEvent[] = [];
  vi.spyOn(env.USAGE_QUEUE, 'send').mockImplementation(async (body: unknown) => {
    sent.push(body as UsageEvent);
    return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
  });
  return sent;
};

const expectError = async (response: Response, status: number, param: string | null, text: string) => {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: { message: string; param: string | null; type: string } };
  expect(body.error.param ?? null).toBe(param);
  expect(body.error.message).toContain(text);
};

describe('POST /v1/images/edits on the mock image model', () => {
  it('answers Prefer: wait in the OpenAI images shape with a deterministic PNG shaped like the input', async () => {
    captureQueue();
    const usage = captureUsage();
    await addMockProvider();
    const model = mockModel();
    await setImagePrice(model, 12_000);
    const key = await imageKey();
    const edit = async (prompt: string) => {
      const response = await postEdit(key.key, editForm({ model, prompt, response_format: 'b64_json' }, [{ field: 'image', bytes: PNG_32X16 }]), { prefer: 'wait=10' });
      expect(response.status).toBe(200);
      expect(response.headers.get('preference-applied')).toBe('wait=10');
      const body = (await response.json()) as { created: number; data: Array<{ b64_json: string }> };
      return Uint8Array.from(atob(body.data[0]?.b64_json ?? ''), (char) => char.charCodeAt(0));
    };
    const first = await edit('make it blue');
    // size defaults to auto for an edit: the mock keeps the input's shape at 1/16.
    expect(pngSize(first)).toEqual({ width: 2, height: 1 });
    expect(await edit('make it blue')).toEqual(first);
    expect(await edit('make it red')).not.toEqual(first);
    // One usage event per task (one image each), at the per-image price.
    expect(usage).toHaveLength(3);
    expect(usage[0]).toMatchObject({ model, clientFormat: 'openai-images', status: 200, costMicros: 12_000 });
  });

  it('runs as an async task: 202 with Location, inputs stored under the task id until the task ends', async () => {
    const sent = captureQueue();
    await addMockProvider();
    const key = await imageKey();
    const model = mockModel();
    const response = await postEdit(key.key, editForm({ model, prompt: 'add a hat' }, [{ field: 'image[]', bytes: PNG_32X16 }, { field: 'image[]', bytes: ONE_PIXEL_PNG }, { field: 'mask', bytes: ONE_PIXEL_PNG }]));
    expect(response.status).toBe(202);
    const task = (await response.json()) as { task_id: string; status: string };
    expect(task.status).toBe('pending');
    expect(response.headers.get('location')).toBe(`/v1/tasks/${task.task_id}`);
    const generate = take(sent, 'generate');
    // The queue message is the task id alone; the files wait in KV.
    expect(generate.map((message) => message.body)).toEqual([{ kind: 'generate', taskId: task.task_id }]);
    expect(new Uint8Array((await env.TASKS.get(`input:${task.task_id}:0`, 'arrayBuffer')) ?? new ArrayBuffer(0))).toEqual(PNG_32X16);
    expect(await env.TASKS.get(`input:${task.task_id}:2`, 'arrayBuffer')).not.toBeNull();

    await consume(generate);
    const done = await taskOf(task.task_id, key.key);
    expect(done.status).toBe('completed');
    const file = new Uint8Array(await (await callImages(new URL(done.result?.urls[0] ?? '').pathname)).arrayBuffer());
    expect(pngSize(file)).toEqual({ width: 2, height: 1 });
    for (const index of [0, 1, 2]) expect(await env.TASKS.get(`input:${task.task_id}:${index}`)).toBeNull();
  });

  it('admits a task once through the key quota, Prefer: wait included', async () => {
    captureQueue();
    await addMockProvider();
    const key = await imageKey({ quotaOverrides: { requestsPerMinute: 1 } });
    const form = () => editForm({ model: mockModel(), prompt: 'once' }, [{ field: 'image', bytes: ONE_PIXEL_PNG }]);
    expect((await postEdit(key.key, form(), { prefer: 'wait=10' })).status).toBe(200);
    const second = await postEdit(key.key, form());
    expect(second.status).toBe(429);
  });
});

describe('POST /v1/images/edits on an OpenAI images provider', () => {
  it('sends a real multipart /images/edits with two images and the mask, through the official SDK', async () => {
    const fake = fakeOpenAIImagesUpstream(UPSTREAM);
    installFakeUpstreams({ [UPSTREAM]: fake.handler });
    const sent = captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    const key = await imageKey();
    const openai = new OpenAI({
      apiKey: key.key,
      baseURL: `${BASE}/v1`,
      defaultHeaders: { Prefer: 'wait=10' },
      maxRetries: 0,
      fetch: (input: string | URL | Request, init?: RequestInit) => {
        const request = new Request(input, init);
        return callImages(new URL(request.url).pathname, { method: request.method, headers: request.headers, body: request.body });
      },
    });
    const result = await openai.images.edit({
      model,
      prompt: 'put them together',
      image: [await toFile(PNG_32X16, 'a.png', { type: 'image/png' }), await toFile(ONE_PIXEL_PNG, 'b.png', { type: 'image/png' })],
      mask: await toFile(ONE_PIXEL_PNG, 'mask.png', { type: 'image/png' }),
      size: '1536x1024',
    });
    expect(result.data?.[0]?.url).toMatch(/\/v1\/files\/file_/);
    expect(take(sent, 'generate')).toEqual([]);
    expect(fake.calls).toEqual([]);
    expect(fake.edits).toHaveLength(1);
    const call = fake.edits[0];
    expect(call?.fields).toEqual({ model, prompt: 'put them together', n: '1', size: '1536x1024' });
    expect(call?.files.map((file) => [file.field, file.type])).toEqual([
      ['image[]', 'image/png'],
      ['image[]', 'image/png'],
      ['mask', 'image/png'],
    ]);
    expect(call?.files[0]?.bytes).toEqual(PNG_32X16);
    expect(call?.files[1]?.bytes).toEqual(ONE_PIXEL_PNG);
    expect(fake.authorizations).toEqual(['Bearer sk-upstream-secret']);
  });

  it('sends one image as `image` and no size for auto, from the queue', async () => {
    const fake = fakeOpenAIImagesUpstream(UPSTREAM);
    installFakeUpstreams({ [UPSTREAM]: fake.handler });
    const sent = captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    const key = await imageKey();
    const response = await postEdit(key.key, editForm({ model, prompt: 'solo' }, [{ field: 'image', bytes: PNG_32X16 }]));
    expect(response.status).toBe(202);
    await consume(take(sent, 'generate'));
    expect(fake.edits[0]?.fields).toEqual({ model, prompt: 'solo', n: '1' });
    expect(fake.edits[0]?.files.map((file) => file.field)).toEqual(['image']);
  });
});

describe('POST /v1/images/edits on a Gemini image model', () => {
  it('inlines the uploads after the prompt, and refuses a mask Gemini cannot carry', async () => {
    const bodies: unknown[] = [];
    installFakeUpstreams({
      [GEMINI]: async (request) => {
        bodies.push(await request.json());
        return Response.json({ candidates: [{ content: { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: b64(ONE_PIXEL_PNG) } }] }, finishReason: 'STOP' }] });
      },
    });
    captureQueue();
    const model = await addImageProvider('gemini', GEMINI);
    const key = await imageKey();
    const response = await postEdit(key.key, editForm({ model, prompt: 'sharpen' }, [{ field: 'image', bytes: PNG_32X16 }]), { prefer: 'wait=10' });
    expect(response.status).toBe(200);
    expect(bodies).toEqual([
      {
        contents: [{ role: 'user', parts: [{ text: 'sharpen' }, { inlineData: { mimeType: 'image/png', data: b64(PNG_32X16) } }] }],
        generationConfig: { responseModalities: ['IMAGE'] },
      },
    ]);
    const masked = await postEdit(key.key, editForm({ model, prompt: 'sharpen' }, [{ field: 'image', bytes: PNG_32X16 }, { field: 'mask', bytes: ONE_PIXEL_PNG }]));
    await expectError(masked, 400, 'mask', 'take no mask');
    expect(bodies).toHaveLength(1);
  });
});

describe('POST /v1/images/edits refusals', () => {
  it('refuses a file over the per-file limit with a 400 and a body over the request limit with a 413, before any upstream', async () => {
    const fake = fakeOpenAIImagesUpstream(UPSTREAM);
    installFakeUpstreams({ [UPSTREAM]: fake.handler });
    const sent = captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    const key = await imageKey();
    const roomy: Env = { ...env, MAX_BODY_BYTES: String(MAX_IMAGE_BYTES + 1024 * 1024) };
    const huge = new Uint8Array(MAX_IMAGE_BYTES + 1);
    huge.set(ONE_PIXEL_PNG);
    const perFile = await postEdit(key.key, editForm({ model, prompt: 'p' }, [{ field: 'image', bytes: ONE_PIXEL_PNG }, { field: 'image', bytes: huge }]), {}, roomy);
    await expectError(perFile, 400, 'image[1]', `exceeds ${MAX_IMAGE_BYTES} bytes`);

    const small: Env = { ...env, MAX_BODY_BYTES: '4096' };
    const body = await new Response(editForm({ model, prompt: 'p' }, [{ field: 'image', bytes: new Uint8Array(8192) }])).arrayBuffer();
    const overall = await postEdit(key.key, editForm({ model, prompt: 'p' }, [{ field: 'image', bytes: new Uint8Array(8192) }]), {}, small);
    expect(body.byteLength).toBeGreaterThan(4096);
    expect(overall.status).toBe(413);
    expect(fake.edits).toEqual([]);
    expect(take(sent, 'generate')).toEqual([]);
  });

  it('refuses a private webhook URL, a URL in place of a file, bad files and unknown fields', async () => {
    installFakeUpstreams({ [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM).handler });
    captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    const key = await imageKey();
    const image = [{ field: 'image', bytes: ONE_PIXEL_PNG }];
    const production: Env = { ...env, ALLOW_PRIVATE_URLS: undefined };
    await expectError(await postEdit(key.key, editForm({ model, prompt: 'p', webhook_url: 'http://169.254.169.254/hook' }, image), {}, production), 400, 'webhook_url', 'URL');
    const urlAsImage = editForm({ model, prompt: 'p' }, []);
    urlAsImage.append('image', 'http://10.0.0.1/cat.png');
    await expectError(await postEdit(key.key, urlAsImage), 400, 'image', 'must be a file upload');
    await expectError(await postEdit(key.key, editForm({ model, prompt: 'p' }, [{ field: 'image', bytes: new TextEncoder().encode('<html>') }])), 400, 'image', 'not a PNG');
    await expectError(await postEdit(key.key, editForm({ model, prompt: 'p' }, [])), 400, 'image', 'Required');
    await expectError(await postEdit(key.key, editForm({ model, prompt: 'p', input_fidelity: 'high' }, image)), 400, 'input_fidelity', 'unknown parameter');
    await expectError(await postEdit(key.key, editForm({ model, prompt: 'p', n: '2' }, image)), 400, 'n', 'only 1 image');
    await expectError(await postEdit(key.key, editForm({ model }, image)), 400, 'prompt', 'Required');
    await expectError(await postEdit(key.key, JSON.stringify({ model, prompt: 'p' }), { 'content-type': 'application/json' }), 400, null, 'multipart/form-data');
  });
});
