import { beforeAll, describe, expect, it } from 'vitest';
import { normaliseBasePath } from '../../src/normalise-base-path';
import { addMockProvider, createKey } from '../setup/seed';
import { BASE_PATH, callWorker, postJson, prefixedEnv } from './helpers';

let key = '';

beforeAll(async () => {
  await addMockProvider();
  key = (await createKey({ plan: 'unlimited', scopes: ['chat', 'images'] })).key;
});

const chat = { model: 'mock-1', messages: [{ role: 'user', content: 'hi' }] };
const responses = { model: 'mock-1', input: 'hi' };
const messages = { model: 'mock-1', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };
const gemini = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };

describe('BASE_PATH normalisation', () => {
  it.each([
    ['', ''],
    ['/', ''],
    ['llm-api', '/llm-api'],
    ['/llm-api/', '/llm-api'],
    ['  /a/b.c~d_e-f//  ', '/a/b.c~d_e-f'],
  ])('%j → %j', (raw, normalised) => expect(normaliseBasePath(raw)).toBe(normalised));

  it.each(['/a b', '/a/../b', '/.', '/a//b', '/a?b', '/a%20b', "/a'b", '/a"b'])('refuses %j', (raw) => expect(normaliseBasePath(raw)).toBeNull());
});

describe('every surface under the base path', () => {
  const bearer = () => ({ authorization: `Bearer ${key}` });
  it.each([
    ['/v1/chat/completions', chat],
    ['/openai/v1/chat/completions', chat],
    ['/api.openai.com/v1/chat/completions', chat],
    ['/v1/responses', responses],
    ['/api.openai.com/v1/responses', responses],
    ['/openai/v1/responses', responses],
    ['/v1/messages', messages],
    ['/anthropic/v1/messages', messages],
    ['/v1beta/models/mock-1:generateContent', gemini],
    ['/gemini/v1beta/models/mock-1:generateContent', gemini],
  ])('POST %s', async (path, body) => {
    const response = await postJson(`${BASE_PATH}${path}`, bearer(), body);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it.each(['/v1/models', '/anthropic/models', '/openai/v1/models', '/api.openai.com/v1/models', '/v1beta/models', '/v1/usage'])('GET %s', async (path) => {
    const response = await callWorker(`${BASE_PATH}${path}`, { headers: bearer() });
    expect(response.status).toBe(200);
  });

  it('streams Gemini SSE under the prefix', async () => {
    const response = await postJson(`${BASE_PATH}/v1beta/models/mock-1:streamGenerateContent?alt=sse`, { 'x-goog-api-key': key }, gemini);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('data: ');
  });

  it('answers /health under the prefix', async () => {
    const response = await callWorker(`${BASE_PATH}/health`);
    expect(response.status).not.toBe(404);
    expect(await response.json()).toHaveProperty('status');
  });

  it('serves the docs page at the bare prefix, with and without the trailing slash', async () => {
    for (const path of [BASE_PATH, `${BASE_PATH}/`, `${BASE_PATH}/docs`]) {
      const response = await callWorker(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
    }
  });
});

describe('nothing answers outside the base path', () => {
  it('404s in the OpenAI shape', async () => {
    const response = await postJson('/v1/chat/completions', { authorization: `Bearer ${key}` }, chat);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { message: string; type: string } };
    expect(body.error.message).toContain('served under /llm-api');
  });

  it('404s in the Anthropic shape', async () => {
    const response = await postJson('/v1/messages', { 'x-api-key': key, 'anthropic-version': '2023-06-01' }, messages);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('404s in the Gemini shape', async () => {
    const response = await postJson('/v1beta/models/mock-1:generateContent', { 'x-goog-api-key': key }, gemini);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });

  it.each(['/', '/docs', '/health', '/setup.sh', '/.well-known/polyrelay.json', '/dashboard/login', '/llm-apiX/v1/models', '/other/llm-api/v1/models'])('GET %s is a 404', async (path) => {
    const response = await callWorker(path, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('admin API only under the prefix', async () => {
    const headers = { authorization: 'Bearer test-admin-token' };
    expect((await callWorker('/admin/keys', { headers })).status).toBe(404);
    expect((await callWorker(`${BASE_PATH}/admin/keys`, { headers })).status).toBe(200);
  });
});

describe('BASE_PATH values', () => {
  it('takes an unnormalised value (no leading slash, trailing slash)', async () => {
    const bindings = { ...prefixedEnv, BASE_PATH: 'llm-api/' };
    expect((await callWorker(`${BASE_PATH}/v1/models`, { headers: { authorization: `Bearer ${key}` } }, bindings)).status).toBe(200);
    expect((await callWorker('/v1/models', { headers: { authorization: `Bearer ${key}` } }, bindings)).status).toBe(404);
  });

  it('a nested base path works too', async () => {
    const bindings = { ...prefixedEnv, BASE_PATH: '/tools/llm' };
    expect((await callWorker('/tools/llm/v1/models', { headers: { authorization: `Bearer ${key}` } }, bindings)).status).toBe(200);
    expect((await callWorker('/tools/v1/models', { headers: { authorization: `Bearer ${key}` } }, bindings)).status).toBe(404);
  });

  it('an invalid BASE_PATH is a 500 on every path, never a silently open root', async () => {
    const bindings = { ...prefixedEnv, BASE_PATH: '/llm api' };
    for (const path of ['/v1/models', '/llm api/v1/models', '/health']) {
      const response = await callWorker(path, { headers: { authorization: `Bearer ${key}` } }, bindings);
      expect(response.status, path).toBe(500);
    }
  });
});
