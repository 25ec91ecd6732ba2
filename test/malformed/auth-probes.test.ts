import { beforeAll, describe, expect, it } from 'vitest';
import { admin, callRelay, createKey, type CreatedKey } from '../setup/seed';
import { GENERATION_ENDPOINTS, type Endpoint } from './endpoints';
import { expectCallerError, seedProviders } from './harness';

let live: CreatedKey;
let revoked: CreatedKey;
let expired: CreatedKey;
let imagesOnly: CreatedKey;
beforeAll(async () => {
  await seedProviders();
  live = await createKey({ name: 'auth live' });
  revoked = await createKey({ name: 'auth revoked' });
  expect((await admin('DELETE', `/keys/${revoked.id}`)).status).toBe(200);
  expired = await createKey({ name: 'auth expired', expiresAt: '2001-01-01T00:00:00Z' });
  imagesOnly = await createKey({ name: 'auth images', scopes: ['images'] });
});

const post = (endpoint: Endpoint, headers: Record<string, string>, query = ''): Promise<Response> =>
  callRelay(`${endpoint.path('mock-1')}${endpoint.path('mock-1').includes('?') ? query.replace('?', '&') : query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...endpoint.headers, ...headers },
    body: JSON.stringify(endpoint.body('mock-1')),
  });

const PROBES: Array<[string, () => Record<string, string>, number]> = [
  ['no key at all', () => ({}), 401],
  ['empty Bearer', () => ({ authorization: 'Bearer ' }), 401],
  ['Bearer without a space', () => ({ authorization: `Bearer${live.key}` }), 401],
  ['Basic scheme', () => ({ authorization: `Basic ${btoa(`user:${live.key}`)}` }), 401],
  ['key without a scheme', () => ({ authorization: live.key }), 401],
  ['empty x-api-key', () => ({ 'x-api-key': '' }), 401],
  ['whitespace x-goog-api-key', () => ({ 'x-goog-api-key': '   ' }), 401],
  ['unknown key', () => ({ authorization: 'Bearer sk-relay-0000000000000000000000000000' }), 401],
  ['key with a trailing character', () => ({ authorization: `Bearer ${live.key}x` }), 401],
  ['key truncated', () => ({ authorization: `Bearer ${live.key.slice(0, -1)}` }), 401],
  ['SQL in the key', () => ({ authorization: "Bearer ' OR 1=1 --" }), 401],
  ['8 KiB key', () => ({ authorization: `Bearer sk-relay-${'a'.repeat(8192)}` }), 401],
  ['admin token as an API key', () => ({ authorization: 'Bearer test-admin-token' }), 401],
  ['revoked key', () => ({ authorization: `Bearer ${revoked.key}` }), 401],
  ['expired key', () => ({ authorization: `Bearer ${expired.key}` }), 401],
  ['key without the chat scope', () => ({ authorization: `Bearer ${imagesOnly.key}` }), 403],
];

describe.each(GENERATION_ENDPOINTS)('$name: auth probes', (endpoint) => {
  it.each(PROBES)('%s', async (_name, headers, status) => {
    const response = await post(endpoint, headers());
    await expectCallerError(response, endpoint.shape, status, [live.key]);
  });

  it('a key in any SDK header works on every endpoint (agents mix them)', async () => {
    const sdkHeaders: Array<Record<string, string>> = [{ authorization: `Bearer ${live.key}` }, { 'x-api-key': live.key }, { 'x-goog-api-key': live.key }];
    for (const headers of sdkHeaders) {
      const response = await post(endpoint, headers);
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
  });

  it('a revoked key in ?key= is refused too', async () => {
    await expectCallerError(await post(endpoint, {}, `?key=${encodeURIComponent(revoked.key)}`), endpoint.shape, 401);
  });
});

describe('GET routes refuse bad keys in their own shape', () => {
  it.each([
    ['/v1/models', 'openai'],
    ['/v1/models/mock-1', 'openai'],
    ['/v1beta/models', 'gemini'],
    ['/v1/usage', 'openai'],
    ['/anthropic/models', 'anthropic'],
  ] as const)('%s', async (path, shape) => {
    await expectCallerError(await callRelay(path), shape, 401);
    await expectCallerError(await callRelay(path, { headers: { authorization: `Bearer ${revoked.key}` } }), shape, 401);
  });
});

describe('admin API: token probes', () => {
  const ADMIN_PROBES: Array<[string, Record<string, string>]> = [
    ['no token', {}],
    ['empty Bearer', { authorization: 'Bearer ' }],
    ['token prefix', { authorization: 'Bearer test-admin' }],
    ['token plus a character', { authorization: 'Bearer test-admin-tokenX' }],
    ['token in upper case', { authorization: 'Bearer TEST-ADMIN-TOKEN' }],
    ['token as x-api-key', { 'x-api-key': 'test-admin-token' }],
    ['token as Basic', { authorization: `Basic ${btoa('admin:test-admin-token')}` }],
    ['8 KiB token', { authorization: `Bearer ${'t'.repeat(8192)}` }],
  ];
  for (const [name, headers] of ADMIN_PROBES) {
    for (const [method, path] of [['GET', '/admin/keys'], ['POST', '/admin/providers'], ['DELETE', `/admin/keys/x`], ['GET', '/admin/usage']]) {
      it(`${name}: ${method} ${path} → 401`, async () => {
        const response = await callRelay(path ?? '', { method, headers: { 'content-type': 'application/json', ...headers }, body: method === 'POST' ? '{}' : undefined });
        await expectCallerError(response, 'openai', 401);
      });
    }
  }

  it('an API key (even a live one) is not an admin token', async () => {
    await expectCallerError(await callRelay('/admin/keys', { headers: { authorization: `Bearer ${live.key}` } }), 'openai', 401, [live.key]);
  });

  it('?key= never authenticates the admin API', async () => {
    await expectCallerError(await callRelay('/admin/keys?key=test-admin-token'), 'openai', 401);
  });
});

describe('admin API: malformed bodies', () => {
  const bodies: Array<[string, string, string]> = [
    ['POST', '/admin/keys', '{'],
    ['POST', '/admin/keys', '[]'],
    ['POST', '/admin/keys', 'null'],
    ['POST', '/admin/keys', JSON.stringify({ name: 42 })],
    ['POST', '/admin/keys', JSON.stringify({ name: 'x', plan: 'platinum' })],
    ['POST', '/admin/keys', JSON.stringify({ name: 'x', expiresAt: 'someday' })],
    ['POST', '/admin/keys', JSON.stringify({ name: 'x', quotaOverrides: { requestsPer5h: -1 } })],
    ['POST', '/admin/providers', '{'],
    ['POST', '/admin/providers', JSON.stringify({ id: 'Bad Id!', protocol: 'openai-chat', baseUrl: 'https://x.example/v1', models: ['m'] })],
    ['POST', '/admin/providers', JSON.stringify({ id: 'p-x', protocol: 'smoke-signals', baseUrl: 'https://x.example/v1', models: ['m'] })],
    ['POST', '/admin/providers', JSON.stringify({ id: 'p-x', protocol: 'openai-chat', baseUrl: 'https://x.example/v1', models: [] })],
    ['POST', '/admin/providers', JSON.stringify({ id: 'p-x', protocol: 'openai-chat', baseUrl: 'https://x.example/v1', models: ['m'], headers: { 'bad header': 'x' } })],
    ['PATCH', '/admin/keys/does-not-exist', '{'],
  ];
  it.each(bodies)('%s %s %s → 400 or 404', async (method, path, body) => {
    const response = await callRelay(path, { method, headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' }, body });
    const status = response.status === 404 ? 404 : 400;
    await expectCallerError(response, 'openai', status);
  });

  it('unknown ids → 404', async () => {
    for (const [method, path] of [['GET', '/admin/keys/nope'], ['DELETE', '/admin/keys/nope'], ['GET', '/admin/providers/nope'], ['DELETE', '/admin/providers/nope']] as const) {
      await expectCallerError(await admin(method, path.replace('/admin', '')), 'openai', 404);
    }
  });
});

describe('very long header values', () => {
  it('a 16 KiB anthropic-version or user-agent does not break the answer', async () => {
    const response = await callRelay('/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': live.key, 'anthropic-version': 'v'.repeat(16_384), 'user-agent': 'u'.repeat(16_384), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-1', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });
});
