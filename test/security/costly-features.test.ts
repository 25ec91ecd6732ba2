import { describe, expect, it } from 'vitest';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../fakes/anthropic-upstream';
import { createGeminiUpstream, FAKE_GEMINI_KEY } from '../fakes/gemini-upstream';
import { createOpenAIResponsesUpstream, FAKE_OPENAI_RESPONSES_KEY } from '../fakes/openai-responses-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addProvider, callRelay, createKey, jsonPost } from '../setup/seed';

const responsesUpstream = createOpenAIResponsesUpstream();
const anthropicUpstream = createAnthropicUpstream();
const geminiUpstream = createGeminiUpstream();

let ready = false;
const setup = async () => {
  installFakeUpstreams({ 'http://costly-responses.fake': responsesUpstream, 'http://costly-anthropic.fake': anthropicUpstream, 'http://costly-gemini.fake': geminiUpstream });
  if (!ready) {
    await addProvider({ id: 'costly-responses', protocol: 'openai-responses', baseUrl: 'http://costly-responses.fake/v1', apiKey: FAKE_OPENAI_RESPONSES_KEY, models: ['costly-gpt'] });
    await addProvider({ id: 'costly-anthropic', protocol: 'anthropic', baseUrl: 'http://costly-anthropic.fake', apiKey: FAKE_ANTHROPIC_KEY, models: ['costly-claude'] });
    await addProvider({ id: 'costly-gemini', protocol: 'gemini', baseUrl: 'http://costly-gemini.fake', apiKey: FAKE_GEMINI_KEY, models: ['costly-gemini'] });
    ready = true;
  }
};

const messages = [{ role: 'user', content: 'search the web for polyrelay' }];
const lookup = { type: 'function', name: 'lookup', parameters: { type: 'object' } };

describe('upstream features that cost more than their tokens need a key scope', () => {
  it('without the scope, hosted tools and paid tiers are taken out before the upstream and named in a header', async () => {
    await setup();
    const { key } = await createKey();
    // Codex sends its web_search tool (and a tier, in fast mode) on every turn: the turn must still work.
    const codexTurn = await jsonPost('/v1/responses', key, { model: 'costly-gpt', input: 'hi', tools: [lookup, { type: 'web_search', external_web_access: false }], service_tier: 'priority' });
    expect(codexTurn.status).toBe(200);
    expect(codexTurn.headers.get('x-polyrelay-removed-features')).toBe('service_tier "priority", tool "web_search"');
    const sent = responsesUpstream.requests.at(-1)?.body as Record<string, unknown>;
    expect(sent.tools).toEqual([lookup]);
    expect(sent.service_tier).toBeUndefined();

    const claude = await callRelay('/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'costly-claude', max_tokens: 64, messages, tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }] }),
    });
    expect(claude.status).toBe(200);
    expect(claude.headers.get('x-polyrelay-removed-features')).toBe('tool "web_search_20250305"');
    expect((anthropicUpstream.requests.at(-1)?.body as Record<string, unknown>).tools).toBeUndefined();

    const grounding = await callRelay('/v1beta/models/costly-gemini:generateContent', {
      method: 'POST',
      headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], tools: [{ googleSearch: {}, functionDeclarations: [{ name: 'lookup' }] }] }),
    });
    expect(grounding.status).toBe(200);
    expect((geminiUpstream.requests.at(-1)?.body as Record<string, unknown>).tools).toEqual([{ functionDeclarations: [{ name: 'lookup' }] }]);
  });

  it('refuses what a request means nothing without (a background run) in the caller shape, before any upstream', async () => {
    await setup();
    const { key } = await createKey();
    const before = responsesUpstream.requests.length;
    const background = await jsonPost('/v1/responses', key, { model: 'costly-gpt', input: 'hi', background: true });
    expect(background.status).toBe(403);
    expect(await background.json()).toMatchObject({ error: { code: 'feature_not_allowed', param: 'background' } });
    expect(responsesUpstream.requests.length).toBe(before);
  });

  it('passes them to the upstream untouched for a key that has the scope', async () => {
    await setup();
    const { key } = await createKey({ scopes: ['chat', 'hosted_tools', 'priority_tier'] });
    const response = await jsonPost('/v1/responses', key, { model: 'costly-gpt', input: 'hi', tools: [{ type: 'web_search' }], service_tier: 'priority' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-polyrelay-removed-features')).toBeNull();
    expect(responsesUpstream.requests.at(-1)?.body).toMatchObject({ tools: [{ type: 'web_search' }], service_tier: 'priority' });
  });
});
