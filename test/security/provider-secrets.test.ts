import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createOpenAIChatUpstream, FAKE_OPENAI_CHAT_KEY } from '../fakes/openai-chat-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { admin, addProvider, createKey, jsonPost } from '../setup/seed';

const CHAT = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }] });
const storedRow = (id: string) =>
  env.DB.prepare('SELECT api_key_encrypted, headers FROM providers WHERE id = ?').bind(id).first<{ api_key_encrypted: string; headers: string }>();

/** A collector on another origin: records whatever reaches it. */
const collector = () => {
  const seen: Request[] = [];
  return { seen, handler: (request: Request) => (seen.push(request), Response.json({ error: { message: 'collected' } }, { status: 401 })) };
};

/** The ciphertext format before v2: AES-GCM with SHA-256(ENCRYPTION_KEY) as key, no AAD. */
const legacySeal = async (secret: string, plaintext: string): Promise<string> => {
  const raw = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret));
  const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(plaintext)));
  const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
  return `${b64(iv)}.${b64(sealed)}`;
};

describe('a stored upstream key cannot be redirected to another origin', () => {
  it('PATCH baseUrl to another origin without apiKey is refused (400 naming apiKey); the key never reaches the new origin', async () => {
    const evil = collector();
    installFakeUpstreams({ 'http://chat.fake': createOpenAIChatUpstream(), 'http://evil.fake': evil.handler });
    await addProvider({ id: 'sec-move', protocol: 'openai-chat', baseUrl: 'http://chat.fake/v1', apiKey: FAKE_OPENAI_CHAT_KEY, models: ['sec-move'] });
    const refused = await admin('PATCH', '/providers/sec-move', { baseUrl: 'http://evil.fake/v1' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { param: string } }).error.param).toBe('apiKey');
    const { key } = await createKey();
    expect((await jsonPost('/v1/chat/completions', key, CHAT('sec-move'))).status).toBe(200);
    expect(evil.seen).toHaveLength(0);
    // A path change on the same origin keeps the key; a move with a new key is the operator's own choice.
    expect((await admin('PATCH', '/providers/sec-move', { baseUrl: 'http://chat.fake/v1/' })).status).toBe(200);
    expect((await admin('PATCH', '/providers/sec-move', { baseUrl: 'http://evil.fake/v1', apiKey: 'a-new-key' })).status).toBe(200);
  });

  it('a ciphertext copied into another provider row (another id and origin) does not open', async () => {
    const evil = collector();
    installFakeUpstreams({ 'http://chat.fake': createOpenAIChatUpstream(), 'http://evil.fake': evil.handler });
    await addProvider({ id: 'sec-victim', protocol: 'openai-chat', baseUrl: 'http://chat.fake/v1', apiKey: FAKE_OPENAI_CHAT_KEY, models: ['sec-victim'] });
    await addProvider({ id: 'sec-thief', protocol: 'openai-chat', baseUrl: 'http://evil.fake/v1', apiKey: 'placeholder', models: ['sec-thief'] });
    const victim = await storedRow('sec-victim');
    await env.DB.prepare('UPDATE providers SET api_key_encrypted = ? WHERE id = ?').bind(victim?.api_key_encrypted, 'sec-thief').run();
    await env.DB.prepare("UPDATE providers SET base_url = 'http://evil.fake/v1' WHERE id = 'sec-victim'").run();
    await admin('PATCH', '/providers/sec-thief', { priority: 1 });
    const { key } = await createKey();
    const viaThief = await jsonPost('/v1/chat/completions', key, CHAT('sec-thief'));
    const viaMoved = await jsonPost('/v1/chat/completions', key, CHAT('sec-victim'));
    expect(viaThief.status).toBeGreaterThanOrEqual(500);
    expect(viaMoved.status).toBeGreaterThanOrEqual(500);
    const leaked = evil.seen.map((request) => request.headers.get('authorization') ?? '');
    expect(leaked.join(' ')).not.toContain(FAKE_OPENAI_CHAT_KEY);
  });

  it('keys stored in the old format (before the KDF and binding) still work', async () => {
    const upstream = createOpenAIChatUpstream();
    installFakeUpstreams({ 'http://chat.fake': upstream });
    await addProvider({ id: 'sec-legacy', protocol: 'openai-chat', baseUrl: 'http://chat.fake/v1', models: ['sec-legacy'] });
    const legacy = await legacySeal(env.ENCRYPTION_KEY ?? '', FAKE_OPENAI_CHAT_KEY);
    await env.DB.prepare('UPDATE providers SET api_key_encrypted = ? WHERE id = ?').bind(legacy, 'sec-legacy').run();
    await admin('PATCH', '/providers/sec-legacy', { priority: 0 });
    const { key } = await createKey();
    expect((await jsonPost('/v1/chat/completions', key, CHAT('sec-legacy'))).status).toBe(200);
    expect(upstream.requests[0]?.headers.authorization).toBe(`Bearer ${FAKE_OPENAI_CHAT_KEY}`);
  });
});

describe('configured header values are stored sealed', () => {
  it('D1 holds no header value in clear, the upstream gets it, and moving origin asks for headers again', async () => {
    const upstream = createOpenAIChatUpstream();
    installFakeUpstreams({ 'http://chat.fake': upstream });
    const secretHeader = 'org-secret-value-0123456789';
    await addProvider({ id: 'sec-headers', protocol: 'openai-chat', baseUrl: 'http://chat.fake/v1', apiKey: FAKE_OPENAI_CHAT_KEY, headers: { 'x-org-token': secretHeader }, models: ['sec-headers'] });
    const row = await storedRow('sec-headers');
    expect(row?.headers).not.toContain(secretHeader);
    expect(row?.headers).toContain('x-org-token');
    const { key } = await createKey();
    expect((await jsonPost('/v1/chat/completions', key, CHAT('sec-headers'))).status).toBe(200);
    expect(upstream.requests[0]?.headers['x-org-token']).toBe(secretHeader);
    const listed = (await (await admin('GET', '/providers/sec-headers')).json()) as { headers: string[] };
    expect(listed.headers).toEqual(['x-org-token']);
  });

  it('moving baseUrl to another origin never carries the stored header values there', async () => {
    const other = collector();
    installFakeUpstreams({ 'http://chat.fake': createOpenAIChatUpstream(), 'http://other.fake': other.handler });
    const secretHeader = 'org-secret-value-9876543210';
    await addProvider({ id: 'sec-headers-move', protocol: 'openai-chat', baseUrl: 'http://chat.fake/v1', apiKey: FAKE_OPENAI_CHAT_KEY, headers: { 'x-org-token': secretHeader }, models: ['sec-headers-move'] });
    const moved = await admin('PATCH', '/providers/sec-headers-move', { baseUrl: 'http://other.fake/v1', apiKey: 'new' });
    // Either refused (400 naming headers) or written without the old values: never re-sealed for the new origin.
    if (moved.status === 400) expect(((await moved.json()) as { error: { param: string } }).error.param).toBe('headers');
    else expect(moved.status).toBe(200);
    const { key } = await createKey();
    await jsonPost('/v1/chat/completions', key, CHAT('sec-headers-move'));
    for (const request of other.seen) expect(request.headers.get('x-org-token')).not.toBe(secretHeader);
  });
});

describe('upstream redirects are not followed with the key', () => {
  it('a 302 from the upstream is an upstream failure; nothing is fetched from its Location', async () => {
    const evil = collector();
    const redirects: string[] = [];
    installFakeUpstreams({
      'http://redirect.fake': (request) => {
        redirects.push(request.redirect);
        return new Response(null, { status: 302, headers: { location: 'http://evil.fake/v1/chat/completions' } });
      },
      'http://evil.fake': evil.handler,
    });
    await addProvider({ id: 'sec-redirect', protocol: 'openai-chat', baseUrl: 'http://redirect.fake/v1', apiKey: FAKE_OPENAI_CHAT_KEY, models: ['sec-redirect'], maxRetries: 0 });
    const { key } = await createKey();
    const response = await jsonPost('/v1/chat/completions', key, CHAT('sec-redirect'));
    expect(response.status).toBe(502);
    expect(await response.text()).not.toContain('evil.fake');
    expect(redirects).toEqual(['manual']);
    expect(evil.seen).toHaveLength(0);
  });
});
