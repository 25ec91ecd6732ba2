import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/env';
import { fakeOpenAIImagesUpstream, ONE_PIXEL_PNG } from '../fakes/openai-images-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addImageProvider, captureQueue, imageKey, postImages } from './helpers';

const UPSTREAM = 'https://images.fake';
const PNG_URI = `data:image/png;base64,${btoa(String.fromCharCode(...ONE_PIXEL_PNG))}`;

let model = '';
let geminiModel = '';
let key = '';

beforeEach(async () => {
  installFakeUpstreams({ [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM).handler });
  captureQueue();
  model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
  geminiModel = await addImageProvider('gemini', 'https://gemini.fake');
  key = (await imageKey()).key;
});

const submit = (body: Record<string, unknown>, bindings?: Env) => postImages('/v1/images/generations', key, { model, prompt: 'p', ...body }, {}, bindings);

const expect400 = async (response: Response, param: string, text: string) => {
  expect(response.status).toBe(400);
  const body = (await response.json()) as { error: { message: string; param: string | null; type: string } };
  expect(body.error.type).toBe('invalid_request_error');
  expect(body.error.param).toBe(param);
  expect(body.error.message).toContain(text);
};

describe('validation matrix', () => {
  it('offers 4k only for the elongated ratios', async () => {
    for (const size of ['16:9', '9:16', '1:2', '2:1', '21:9', '9:21']) expect((await submit({ size, resolution: '4k' })).status).toBe(202);
    for (const size of ['1:1', '3:2', '4:3', 'auto']) await expect400(await submit({ size, resolution: '4k' }), 'resolution', '4k is only available');
    await expect400(await postImages('/v1/images/tasks', key, { model, prompt: 'p', aspect_ratio: '1:1', image_size: '4k' }), 'image_size', '4k');
  });

  it('accepts every listed ratio and the OpenAI pixel sizes, and refuses anything else', async () => {
    for (const size of ['auto', '1:1', '16:9', '9:16', '3:2', '2:3', '4:3', '3:4', '5:4', '4:5', '2:1', '1:2', '21:9', '9:21', '1024x1024', '1792x1024']) {
      expect((await submit({ size })).status).toBe(202);
    }
    await expect400(await submit({ size: '7:3' }), 'size', 'must be one of');
    await expect400(await submit({ resolution: '8k' }), 'resolution', 'must be one of');
  });

  it('refuses n > 1, missing fields and unknown parameters', async () => {
    await expect400(await submit({ n: 2 }), 'n', 'only 1 image');
    await expect400(await postImages('/v1/images/generations', key, { model }), 'prompt', 'Required');
    await expect400(await submit({ prompt: '   ' }), 'prompt', 'must not be empty');
    await expect400(await submit({ quality: 'hd' }), 'quality', 'unknown parameter');
  });

  it('takes up to 16 image_urls, refuses 17, bad data URIs and non-http URLs', async () => {
    const sixteen = Array.from({ length: 16 }, () => PNG_URI);
    expect((await postImages('/v1/images/generations', key, { model: geminiModel, prompt: 'p', image_urls: sixteen })).status).toBe(202);
    await expect400(await submit({ image_urls: [...sixteen, PNG_URI] }), 'image_urls', 'at most 16');
    await expect400(await submit({ image_urls: ['data:image/png;base64,@@@not-base64'] }), 'image_urls[0]', 'data URI');
    await expect400(await submit({ image_urls: ['data:text/plain;base64,aGk='] }), 'image_urls[0]', 'data URI');
    await expect400(await submit({ image_urls: ['https://ok.example/a.png', 'ftp://files.example/b.png'] }), 'image_urls[1]', 'http or https');
    // The OpenAI images generations endpoint cannot take input images: say so rather than drop them.
    const unsupported = await submit({ image_urls: [PNG_URI] });
    expect(unsupported.status).toBe(400);
    expect(JSON.stringify(await unsupported.json())).toContain('cannot take input images');
  });

  it('refuses a bad webhook URL', async () => {
    await expect400(await submit({ webhook_url: 'not a url' }), 'webhook_url', 'not a valid absolute URL');
    await expect400(await submit({ webhook_url: 'javascript:alert(1)' }), 'webhook_url', 'http or https');
    await expect400(await submit({ webhook_url: 'data:text/plain,hi' }), 'webhook_url', 'not a data: URI');
  });

  it('refuses private, loopback and metadata URLs when ALLOW_PRIVATE_URLS is off', async () => {
    const production = { ...env, ALLOW_PRIVATE_URLS: undefined } satisfies Env;
    for (const url of ['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::ffff:10.0.0.1]/', 'http://10.1.2.3/', 'http://metadata.google.internal/']) {
      await expect400(await submit({ webhook_url: url }, production), 'webhook_url', 'URL');
    }
    await expect400(await postImages('/v1/images/generations', key, { model: geminiModel, prompt: 'p', image_urls: ['http://192.168.1.10/cat.png'] }, {}, production), 'image_urls[0]', 'private');
    expect((await submit({ webhook_url: 'https://hooks.example/cb' }, production)).status).toBe(202);
    // The same URL is fine with ALLOW_PRIVATE_URLS=true (tests and local dev).
    expect((await submit({ webhook_url: 'http://127.0.0.1:8080/hook' })).status).toBe(202);
  });

  it('refuses malformed JSON and a bad Idempotency-Key', async () => {
    const malformed = await postImages('/v1/images/generations', key, '{');
    expect(malformed.status).toBe(400);
    expect((await postImages('/v1/images/generations', key, { model, prompt: 'p' }, { 'idempotency-key': 'has space' })).status).toBe(400);
  });
});
