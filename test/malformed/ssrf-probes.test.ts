import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { env } from 'cloudflare:workers';
import { admin, createKey } from '../setup/seed';
import { addImageProvider, captureQueue } from '../images/helpers';
import { installFakeUpstreams } from '../setup/fake-network';
import { fakeOpenAIImagesUpstream } from '../fakes/openai-images-upstream';
import { CHAT, MESSAGES, GENERATE, type Endpoint } from './endpoints';
import { callRelayWith, expectCallerError, installTranslationUpstreams, productionEnv, seedProviders } from './harness';

/** Addresses a relay must never be made to fetch, in the spellings attackers use. */
const PRIVATE_URLS = [
  'http://127.0.0.1/x.png',
  'http://127.0.0.1:8787/admin/keys',
  'http://localhost/x.png',
  'http://LOCALHOST./x.png',
  'http://app.localhost/x.png',
  'http://[::1]/x.png',
  'http://[::]/x.png',
  'http://[::ffff:127.0.0.1]/x.png',
  'http://[::ffff:a9fe:a9fe]/latest/meta-data/',
  'http://169.254.169.254/latest/meta-data/',
  'http://metadata.google.internal/computeMetadata/v1/',
  'http://0.0.0.0/x.png',
  'http://0/x.png',
  'http://10.0.0.1/x.png',
  'http://172.16.5.4/x.png',
  'http://192.168.1.1/x.png',
  'http://2130706433/x.png', // decimal 127.0.0.1
  'http://0x7f000001/x.png', // hex
  'http://0177.0.0.1/x.png', // octal
  'http://0x7f.1/x.png', // mixed short form
  'http://127.1/x.png',
  'http://[fd00::1]/x.png',
  'http://[fe80::1]/x.png',
  'http://intranet/x.png',
];
const BAD_SCHEMES = ['file:///etc/passwd', 'gopher://127.0.0.1:6379/_INFO', 'ftp://example.com/x.png', 'javascript:alert(1)', 'dict://127.0.0.1:11211/', 'not a url'];

const UPSTREAM = 'https://images.ssrf.fake';
let imageModel = '';
let geminiImageModel = '';
let imageKeyValue = '';
let fetched: string[] = [];

beforeAll(async () => {
  await seedProviders();
  imageModel = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
  geminiImageModel = await addImageProvider('gemini', 'https://gemini-images.ssrf.fake');
  imageKeyValue = (await createKey({ scopes: ['images', 'chat'] })).key;
});
beforeEach(() => {
  fetched = [];
  const images = fakeOpenAIImagesUpstream(UPSTREAM).handler;
  installFakeUpstreams({ [UPSTREAM]: images });
  // Whatever the relay fetches is recorded, so a refused URL is shown to be never fetched.
  const network = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    fetched.push(new Request(input, init).url);
    return network(input, init);
  });
  captureQueue();
});

const submit = (body: Record<string, unknown>) =>
  callRelayWith(productionEnv(), '/v1/images/generations', {
    method: 'POST',
    headers: { authorization: `Bearer ${imageKeyValue}`, 'content-type': 'application/json', prefer: 'wait=5' },
    body: JSON.stringify({ prompt: 'a cat', ...body }),
  });

describe('images API (ALLOW_PRIVATE_URLS unset, as deployed)', () => {
  it.each([...PRIVATE_URLS, ...BAD_SCHEMES])('webhook_url %s → 400, never called', async (url) => {
    const message = await expectCallerError(await submit({ model: imageModel, webhook_url: url }), 'openai', 400);
    expect(message).toContain('webhook_url');
    expect(fetched.filter((hit) => !hit.startsWith(UPSTREAM))).toEqual([]);
  });

  it.each([...PRIVATE_URLS, ...BAD_SCHEMES, 'data:text/html;base64,PGI+'])('image_urls %s → 400, never fetched', async (url) => {
    const message = await expectCallerError(await submit({ model: geminiImageModel, image_urls: ['https://ok.example/a.png', url] }), 'openai', 400);
    expect(message).toContain('image_urls[1]');
    expect(fetched).toEqual([]);
  });
});

describe('chat image parts: non-http schemes are refused before any upstream', () => {
  beforeEach(() => installTranslationUpstreams());
  const withImage = (endpoint: Endpoint, url: string): Record<string, unknown> => {
    if (endpoint === CHAT) return { model: CHAT.translatedModel, messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url } }] }] };
    if (endpoint === MESSAGES) return { model: MESSAGES.translatedModel, max_tokens: 20, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url } }] }] };
    return { contents: [{ role: 'user', parts: [{ fileData: { mimeType: 'image/png', fileUri: url } }] }] };
  };
  for (const endpoint of [CHAT, MESSAGES, GENERATE]) {
    it.each(BAD_SCHEMES)(`${endpoint.name}: %s`, async (url) => {
      const response = await callRelayWith(env, endpoint.path(endpoint.translatedModel), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...endpoint.headers, ...endpoint.auth(imageKeyValue) },
        body: JSON.stringify(withImage(endpoint, url)),
      });
      await expectCallerError(response, endpoint.shape, 400);
      expect(fetched).toEqual([]);
    });
  }
});

describe('provider baseUrl via the admin API', () => {
  it.each(['file:///etc/passwd', 'gopher://127.0.0.1:6379/', 'data:text/plain,hi', 'javascript:alert(1)', 'ftp://models.example/', 'not a url', ''])('%s → 400', async (baseUrl) => {
    const response = await admin('POST', '/providers', { id: `ssrf-${Math.abs(baseUrl.length * 7919)}`, protocol: 'openai-chat', baseUrl, apiKey: 'sk-x', models: ['ssrf-model'] });
    await expectCallerError(response, 'openai', 400);
  });

  it('loopback is the operator\'s choice (local models, test upstreams): accepted', async () => {
    const response = await admin('POST', '/providers', { id: 'ssrf-loopback', protocol: 'openai-chat', baseUrl: 'http://127.0.0.1:11434/v1', apiKey: 'sk-x', models: ['ssrf-local'] });
    expect(response.status).toBe(201);
    expect(await response.text()).not.toContain('sk-x"');
  });

  it('PATCH cannot switch a provider to a non-http scheme', async () => {
    const response = await admin('PATCH', '/providers/mf-chat', { baseUrl: 'file:///etc/passwd' });
    await expectCallerError(response, 'openai', 400);
  });
});
