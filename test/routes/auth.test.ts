import { describe, expect, it } from 'vitest';
import { addMockProvider, admin, callRelay, createKey, jsonPost } from '../setup/seed';

const chat = { model: 'mock-1', messages: [{ role: 'user', content: 'hi' }] };

describe('client authentication', () => {
  it('accepts the key as Bearer, x-api-key, x-goog-api-key and ?key=', async () => {
    await addMockProvider();
    const { key } = await createKey();
    const bearer = await jsonPost('/v1/chat/completions', key, chat);
    expect(bearer.status).toBe(200);
    const xApiKey = await callRelay('/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-1', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(xApiKey.status).toBe(200);
    const gemini = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
    const goog = await callRelay('/v1beta/models/mock-1:generateContent', {
      method: 'POST',
      headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify(gemini),
    });
    expect(goog.status).toBe(200);
    const query = await callRelay(`/v1beta/models/mock-1:generateContent?key=${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(gemini),
    });
    expect(query.status).toBe(200);
  });

  it('answers a missing key with 401 in each caller shape', async () => {
    const openai = await callRelay('/v1/chat/completions', { method: 'POST', body: JSON.stringify(chat) });
    expect(openai.status).toBe(401);
    expect(((await openai.json()) as { error: { type: string } }).error.type).toBeTypeOf('string');
    const anthropic = await callRelay('/v1/messages', { method: 'POST', body: '{}' });
    expect(anthropic.status).toBe(401);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const gemini = await callRelay('/v1beta/models/mock-1:generateContent', { method: 'POST', body: '{}' });
    expect(gemini.status).toBe(401);
    expect(await gemini.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
    expect(gemini.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('rejects an unknown key, a revoked key and an expired key with 401', async () => {
    await addMockProvider();
    expect((await jsonPost('/v1/chat/completions', 'sk-relay-nope', chat)).status).toBe(401);
    const revoked = await createKey();
    expect((await jsonPost('/v1/chat/completions', revoked.key, chat)).status).toBe(200);
    expect((await admin('DELETE', `/keys/${revoked.id}`)).status).toBe(200);
    const afterRevoke = await jsonPost('/v1/chat/completions', revoked.key, chat);
    expect(afterRevoke.status).toBe(401);
    expect(JSON.stringify(await afterRevoke.json())).toContain('revoked');
    const expired = await createKey({ expiresAt: '2001-01-01T00:00:00Z' });
    expect((await jsonPost('/v1/chat/completions', expired.key, chat)).status).toBe(401);
  });

  it('answers a key without the scope or the model with 403', async () => {
    await addMockProvider();
    const imagesOnly = await createKey({ scopes: ['images'] });
    expect((await jsonPost('/v1/chat/completions', imagesOnly.key, chat)).status).toBe(403);
    const limited = await createKey({ models: ['mock-other'] });
    const response = await jsonPost('/v1/chat/completions', limited.key, chat);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { type: 'permission_error' } });
  });
});

describe('bad input', () => {
  it('answers malformed JSON, a missing model and an unknown model in the caller shape', async () => {
    await addMockProvider();
    const { key } = await createKey();
    const malformed = await callRelay('/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: '{"model":',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const noModel = await jsonPost('/v1/chat/completions', key, { messages: [] });
    expect(noModel.status).toBe(400);
    const unknown = await jsonPost('/v1/chat/completions', key, { ...chat, model: 'no-such-model' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'model_not_found' } });
  });

  it('answers an unknown path with 404 and an oversized body with 413', async () => {
    const { key } = await createKey();
    const missing = await callRelay('/v1/nothing-here', { headers: { authorization: `Bearer ${key}` } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBeTruthy();
    const huge = 'x'.repeat(33 * 1024 * 1024);
    const tooLarge = await callRelay('/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: `{"model":"mock-1","messages":[{"role":"user","content":"${huge}"}]}`,
    });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
  });
});
