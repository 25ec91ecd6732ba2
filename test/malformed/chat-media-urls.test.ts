import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/env';
import { createAnthropicUpstream } from '../fakes/anthropic-upstream';
import { createGeminiUpstream } from '../fakes/gemini-upstream';
import { createOpenAIChatUpstream } from '../fakes/openai-chat-upstream';
import { createOpenAIResponsesUpstream } from '../fakes/openai-responses-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { callRelay, createKey } from '../setup/seed';
import { CHAT, GENERATE, MESSAGES, RESPONSES, type Endpoint } from './endpoints';
import { callRelayWith, expectCallerError, productionEnv, seedProviders } from './harness';

/** Chat-request media URLs that must never reach an upstream (loopback, private, link-local, metadata; src/net/url-safety.ts). */
const PRIVATE_MEDIA = [
  'http://169.254.169.254/latest/meta-data',
  'http://127.0.0.1/',
  'http://[::1]/',
  'http://10.0.0.1/',
  'http://0x7f000001/',
  'http://2130706433/',
  'http://[::ffff:127.0.0.1]/',
  'http://localhost/',
];
const PUBLIC_IMAGE = 'https://upload.example.org/cat.png';
const PNG_BASE64 = 'iVBORw0KGgo=';

/** The model served in the caller's own format (passthrough) and one served by translation. */
const ROUTES: Array<[Endpoint, string, string]> = [
  [CHAT, 'via-chat', CHAT.translatedModel],
  [RESPONSES, 'via-responses', RESPONSES.translatedModel],
  [MESSAGES, 'via-anthropic', MESSAGES.translatedModel],
  [GENERATE, 'via-gemini', GENERATE.translatedModel],
];

const withImage = (endpoint: Endpoint, model: string, url: string): Record<string, unknown> => {
  if (endpoint === CHAT) return { model, messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url } }] }] };
  if (endpoint === RESPONSES) return { model, store: false, input: [{ role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: url }] }] };
  if (endpoint === MESSAGES) return { model, max_tokens: 20, messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image', source: { type: 'url', url } }] }] };
  return { contents: [{ role: 'user', parts: [{ text: 'look' }, { fileData: { mimeType: 'image/png', fileUri: url } }] }] };
};

/** Inline image data in each format's own spelling (a data: URL where the format uses one). */
const withInlineImage = (endpoint: Endpoint, model: string): Record<string, unknown> => {
  if (endpoint === CHAT || endpoint === RESPONSES) return withImage(endpoint, model, `data:image/png;base64,${PNG_BASE64}`);
  if (endpoint === MESSAGES) return { model, max_tokens: 20, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } }] }] };
  return { contents: [{ role: 'user', parts: [{ text: 'look' }, { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } }] }] };
};

/** The same URL where a tool result carries it. */
const inToolResult = (endpoint: Endpoint, model: string, url: string): Record<string, unknown> => {
  if (endpoint === CHAT) {
    return {
      model,
      messages: [
        { role: 'user', content: 'run it' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'shot', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'image_url', image_url: { url } }] },
      ],
      tools: [{ type: 'function', function: { name: 'shot', parameters: { type: 'object' } } }],
    };
  }
  if (endpoint === RESPONSES) {
    return {
      model,
      store: false,
      input: [
        { type: 'function_call', call_id: 'call_1', name: 'shot', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: [{ type: 'input_image', image_url: url }] },
      ],
      tools: [{ type: 'function', name: 'shot', parameters: { type: 'object' } }],
    };
  }
  if (endpoint === MESSAGES) {
    return {
      model,
      max_tokens: 20,
      messages: [
        { role: 'user', content: 'run it' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'shot', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'image', source: { type: 'url', url } }] }] },
      ],
      tools: [{ name: 'shot', input_schema: { type: 'object' } }],
    };
  }
  return {
    contents: [
      { role: 'user', parts: [{ text: 'run it' }] },
      { role: 'model', parts: [{ functionCall: { name: 'shot', args: {} } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'shot', response: {}, parts: [{ fileData: { mimeType: 'image/png', fileUri: url } }] } }] },
    ],
  };
};

let upstreamRequests: () => number = () => 0;
let refusedKey = '';
let okKey = '';

beforeAll(async () => {
  await seedProviders();
  // Every refusal goes to one key, whose quota must show nothing taken at the end.
  refusedKey = (await createKey({ plan: 'free', quotaOverrides: { requestsPer5h: 1000, maxConcurrent: 1 } })).key;
  okKey = (await createKey()).key;
});
beforeEach(() => {
  const fakes = [createOpenAIChatUpstream(), createOpenAIResponsesUpstream(), createAnthropicUpstream(), createGeminiUpstream()] as const;
  installFakeUpstreams({
    'http://chat.malformed.fake': fakes[0],
    'http://responses.malformed.fake': fakes[1],
    'http://anthropic.malformed.fake': fakes[2],
    'http://gemini.malformed.fake': fakes[3],
  });
  upstreamRequests = () => fakes.reduce((sum, fake) => sum + fake.requests.length, 0);
});

const post = (bindings: Env, endpoint: Endpoint, model: string, key: string, body: Record<string, unknown>): Promise<Response> =>
  callRelayWith(bindings, endpoint.path(model), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...endpoint.headers, ...endpoint.auth(key) },
    body: JSON.stringify(body),
  });

for (const [endpoint, passthroughModel, translatedModel] of ROUTES) {
  for (const [route, model] of [['passthrough', passthroughModel], ['translated', translatedModel]] as const) {
    describe(`${endpoint.name} → ${model} (${route}), ALLOW_PRIVATE_URLS unset`, () => {
      it.each(PRIVATE_MEDIA)('image %s → 400 in the caller shape, no upstream call', async (url) => {
        const message = await expectCallerError(await post(productionEnv(), endpoint, model, refusedKey, withImage(endpoint, model, url)), endpoint.shape, 400);
        expect(message).toContain('URL');
        expect(upstreamRequests()).toBe(0);
      });

      it('the same address inside a tool result → 400, no upstream call', async () => {
        await expectCallerError(await post(productionEnv(), endpoint, model, refusedKey, inToolResult(endpoint, model, PRIVATE_MEDIA[0] ?? '')), endpoint.shape, 400);
        expect(upstreamRequests()).toBe(0);
      });

      it('a public https image and an inline image still go through', async () => {
        const publicUrl = await post(productionEnv(), endpoint, model, okKey, withImage(endpoint, model, PUBLIC_IMAGE));
        expect(publicUrl.status, await publicUrl.clone().text()).toBe(200);
        const inline = await post(productionEnv(), endpoint, model, okKey, withInlineImage(endpoint, model));
        expect(inline.status, await inline.clone().text()).toBe(200);
        expect(upstreamRequests()).toBe(2);
      });
    });

    it(`${endpoint.name} → ${model} (${route}): ALLOW_PRIVATE_URLS=true lets private media through`, async () => {
      expect(env.ALLOW_PRIVATE_URLS).toBe('true');
      for (const url of ['http://127.0.0.1:8787/x.png', 'http://localhost/x.png']) {
        const response = await post(env, endpoint, model, okKey, withImage(endpoint, model, url));
        expect(response.status, await response.clone().text()).toBe(200);
      }
      expect(upstreamRequests()).toBe(2);
    });
  }
}

it('gemini fileUri keeps gs:// objects (fetched by Google, not by the relay)', async () => {
  const response = await post(productionEnv(), GENERATE, 'via-gemini', okKey, withImage(GENERATE, 'via-gemini', 'gs://bucket/cat.png'));
  expect(response.status, await response.clone().text()).toBe(200);
});

it('count_tokens refuses private media too, before any upstream', async () => {
  const body = withImage(MESSAGES, 'via-anthropic', PRIVATE_MEDIA[0] ?? '');
  const response = await callRelayWith(productionEnv(), '/v1/messages/count_tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...MESSAGES.headers, ...MESSAGES.auth(refusedKey) },
    body: JSON.stringify(body),
  });
  await expectCallerError(response, 'anthropic', 400);
  expect(upstreamRequests()).toBe(0);
});

it('no refusal above took quota or left a concurrency lease', async () => {
  const usage = (await (await callRelay('/v1/usage', { headers: { authorization: `Bearer ${refusedKey}` } })).json()) as { quota: { fiveHour: { used: number }; concurrency: { active: number } } };
  expect(usage.quota.fiveHour.used).toBe(0);
  expect(usage.quota.concurrency.active).toBe(0);
});
