import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGeminiUpstream, type GeminiUpstream } from '../fakes/gemini-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addProvider, callRelay, createKey } from '../setup/seed';
import { expectCallerError, seedProviders, type ErrorShape } from './harness';

let key = '';
beforeAll(async () => {
  await seedProviders();
  key = (await createKey({ name: 'route probes', scopes: ['chat', 'images'] })).key;
});

const auth = () => ({ authorization: `Bearer ${key}`, 'x-goog-api-key': key, 'content-type': 'application/json' });

/** POST-only generation routes asked with other methods: 404 (no such route) in the surface's shape. */
const WRONG_METHODS: Array<[string, ErrorShape]> = [
  ['/v1/chat/completions', 'openai'],
  ['/v1/responses', 'openai'],
  ['/v1/messages', 'anthropic'],
  ['/v1/messages/count_tokens', 'anthropic'],
  ['/v1beta/models/mock-1:generateContent', 'gemini'],
  ['/v1beta/models/mock-1:streamGenerateContent', 'gemini'],
  ['/v1/images/generations', 'openai'],
];

describe('wrong methods on generation routes', () => {
  for (const [path, shape] of WRONG_METHODS) {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      it(`${method} ${path}`, async () => {
        const response = await callRelay(path, { method, headers: auth(), body: method === 'GET' ? undefined : '{}' });
        // GET /v1/responses is the Responses API WebSocket: a plain GET is told to upgrade.
        await expectCallerError(response, shape, method === 'GET' && path === '/v1/responses' ? 426 : 404);
      });
    }
  }
});

const UNKNOWN_PATHS: Array<[string, string, ErrorShape]> = [
  ['POST', '/v1/chat/completion', 'openai'],
  ['POST', '/v1/nothing-here', 'openai'],
  ['GET', '/v1/', 'openai'],
  ['POST', '/v1/responses/input_tokens/extra', 'openai'],
  ['GET', '/v1/models/no-such-model', 'openai'],
  ['POST', '/v1/messages/batches', 'anthropic'],
  ['POST', '/v1beta/nothing', 'gemini'],
  ['POST', '/v1beta/models/mock-1', 'gemini'],
  ['POST', '/v1beta/models/mock-1:fooBar', 'gemini'],
  ['POST', '/v1beta/models/:generateContent', 'gemini'],
  ['GET', '/v1beta/models/no-such-model', 'gemini'],
  ['GET', '/v1/tasks/not-a-task-id', 'openai'],
  ['GET', '/v1/files/not-a-file', 'openai'],
];

describe('unknown paths', () => {
  it.each(UNKNOWN_PATHS)('%s %s → 404', async (method, path, shape) => {
    const response = await callRelay(path, { method, headers: auth(), body: method === 'GET' ? undefined : JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }) });
    await expectCallerError(response, shape, 404);
  });
});

describe('Gemini model segment: traversal and encoded slashes never leave the models collection', () => {
  let upstream: GeminiUpstream;
  let urls: string[] = [];
  beforeAll(async () => {
    await addProvider({ id: 'gem-wild', protocol: 'gemini', baseUrl: 'http://gemini-wild.fake', apiKey: 'gem-wild-secret', models: ['gwild-*'] });
  });
  beforeEach(() => {
    upstream = createGeminiUpstream({ apiKey: 'gem-wild-secret' });
    urls = [];
    installFakeUpstreams({ 'http://gemini-wild.fake': (request) => (urls.push(request.url), upstream(request)) });
  });
  const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });

  it.each([
    'gwild-x%2F..%2F..%2Fv1beta%2Ffiles',
    'gwild-x%2F..%2F..%2F..%2Fadmin',
    'gwild-a%2F.%2Fb',
    'gwild-a%2F%2Fb',
  ])('%s → 400, nothing sent upstream', async (segment) => {
    const response = await callRelay(`/v1beta/models/${segment}:generateContent`, { method: 'POST', headers: auth(), body });
    await expectCallerError(response, 'gemini', 400, ['gem-wild-secret']);
    expect(urls).toEqual([]);
  });

  it('a name with ? and # is sent percent-encoded, inside the model segment', async () => {
    const response = await callRelay(`/v1beta/models/${encodeURIComponent('gwild-x?alt=json#frag')}:generateContent`, { method: 'POST', headers: auth(), body });
    await response.body?.cancel();
    expect(urls).toEqual(['http://gemini-wild.fake/v1beta/models/gwild-x%3Falt%3Djson%23frag:generateContent']);
  });

  it('path traversal in the raw path does not reach the admin API', async () => {
    for (const path of ['/v1beta/models/../../admin/keys', '/v1beta/models/..%2F..%2Fadmin%2Fkeys', '/v1/../admin/keys']) {
      const response = await callRelay(path, { headers: auth() });
      expect([401, 404]).toContain(response.status);
      expect(await response.text()).not.toContain('sk-relay-');
    }
  });
});

describe('query-string oddities on :streamGenerateContent', () => {
  const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
  it.each([
    ['?alt=sse', 'text/event-stream'],
    ['?alt=json', 'application/json'],
    ['', 'application/json'],
    ['?alt=foo', 'application/json'],
    ['?alt=sse&alt=json', 'text/event-stream'],
    ['?alt=', 'application/json'],
  ])('%s → 200 %s', async (query, type) => {
    const response = await callRelay(`/v1beta/models/mock-1:streamGenerateContent${query}`, { method: 'POST', headers: auth(), body });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain(type);
    await response.body?.cancel();
  });
});
