import { describe, expect, it } from 'vitest';
import { createOpenAIChatUpstream, FAKE_OPENAI_CHAT_KEY } from '../fakes/openai-chat-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addProvider, callRelay, createKey } from '../setup/seed';

/**
 * Catalogs name models with slashes (`meta-llama/Llama-3.3-70B`, `vendor/model`), and @google/genai
 * puts the name into the path as is: `/v1beta/models/meta-llama/Llama-3.3-70B:generateContent`.
 * The Gemini routes answered those with 404 "no route".
 */
const MODEL = 'slash-vendor/model-a';

const gemini = (key: string, path: string, body?: unknown) =>
  callRelay(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('Gemini clients on a model whose name has a slash', () => {
  it('generate, stream, count and look it up, on the root and the /gemini alias', async () => {
    const upstream = createOpenAIChatUpstream();
    installFakeUpstreams({ 'http://slashes.fake': upstream });
    await addProvider({ id: 'slashes', protocol: 'openai-chat', baseUrl: 'http://slashes.fake/v1', apiKey: FAKE_OPENAI_CHAT_KEY, models: [MODEL] });
    const { key } = await createKey();
    const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };

    const generated = await gemini(key, `/v1beta/models/${MODEL}:generateContent`, body);
    expect(generated.status, await generated.clone().text()).toBe(200);
    expect(upstream.requests.at(-1)?.body).toMatchObject({ model: MODEL });

    const streamed = await gemini(key, `/gemini/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, body);
    expect(streamed.status).toBe(200);
    expect(await streamed.text()).toContain('"finishReason"');

    expect((await gemini(key, `/v1/models/${MODEL}:generateContent`, body)).status).toBe(200);
    expect((await gemini(key, `/v1beta/models/${MODEL}:countTokens`, body)).status).toBe(200);

    const found = await gemini(key, `/v1beta/models/${MODEL}`);
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ name: `models/${MODEL}` });
    expect((await gemini(key, `/v1beta/models/models/${MODEL}`)).status).toBe(200);

    // @ai-sdk/google sends a slash name without the models/ segment.
    const aiSdk = await gemini(key, `/v1beta/${MODEL}:streamGenerateContent?alt=sse`, body);
    expect(aiSdk.status).toBe(200);
    expect(upstream.requests.at(-1)?.body).toMatchObject({ model: MODEL });
    expect((await gemini(key, '/v1beta/nothing', body)).status).toBe(404);

    const unknown = await gemini(key, '/v1beta/models/slash-vendor/missing:generateContent', body);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { status: string } }).error.status).toBe('NOT_FOUND');
  });
});
