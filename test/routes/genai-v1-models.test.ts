import { describe, expect, it } from 'vitest';
import { addProvider, callRelay, createKey } from '../setup/seed';

/**
 * @google/genai calls the v1 API by default: models.list() is GET /v1/models and models.get() is
 * GET /v1/models/{name}, with x-goog-api-key and x-goog-api-client. Those paths answered in the OpenAI
 * shape, so the SDK listed no models and got an empty model back.
 */
const googleHeaders = (key: string) => ({ 'x-goog-api-key': key, 'x-goog-api-client': 'google-genai-sdk/3.3.0 gl-node/22' });

describe('GET /v1/models for each SDK', () => {
  it('answers Google\'s SDK in Gemini\'s shape, and the OpenAI and Anthropic SDKs as before', async () => {
    await addProvider({ id: 'genai-v1', protocol: 'openai-chat', baseUrl: 'http://genai-v1.fake/v1', apiKey: 'sk-x', models: ['genai-v1-model', 'genai-vendor/model-b'] });
    const { key } = await createKey();

    const googleList = await callRelay('/v1/models', { headers: googleHeaders(key) });
    expect(googleList.status).toBe(200);
    const names = ((await googleList.json()) as { models: Array<{ name: string }> }).models.map((model) => model.name);
    expect(names).toContain('models/genai-v1-model');

    // The key alone (no x-goog-api-client) is also Google's: no other SDK sends x-goog-api-key.
    const one = await callRelay('/v1/models/genai-vendor/model-b', { headers: { 'x-goog-api-key': key } });
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ name: 'models/genai-vendor/model-b', supportedGenerationMethods: expect.arrayContaining(['generateContent']) });
    expect((await callRelay('/v1/models/models/genai-v1-model', { headers: googleHeaders(key) })).status).toBe(200);

    const missing = await callRelay('/v1/models/genai-missing', { headers: googleHeaders(key) });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { status: string } }).error.status).toBe('NOT_FOUND');
    const unauthenticated = await callRelay('/v1/models', { headers: { 'x-goog-api-key': 'sk-relay-wrong' } });
    expect(unauthenticated.status).toBe(401);
    expect(((await unauthenticated.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');

    const openai = await callRelay('/v1/models', { headers: { authorization: `Bearer ${key}` } });
    expect(((await openai.json()) as { object: string; data: Array<{ id: string }> }).data.map((model) => model.id)).toContain('genai-v1-model');
    const anthropic = await callRelay('/v1/models/genai-vendor%2Fmodel-b', { headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' } });
    expect(await anthropic.json()).toMatchObject({ id: 'genai-vendor/model-b', type: 'model' });
    expect((await callRelay('/v1/models/genai-vendor/model-b', { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  });
});

describe('POST /v1/models/{model}:generateContent (the v1 path @google/genai calls)', () => {
  it('refuses a bad key in Gemini\'s shape', async () => {
    const response = await callRelay('/v1/models/mock-1:generateContent', {
      method: 'POST',
      headers: { 'x-goog-api-key': 'sk-relay-wrong', 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
  });
});
