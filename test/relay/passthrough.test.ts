import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../fakes/anthropic-upstream';
import { createGeminiUpstream, FAKE_GEMINI_KEY } from '../fakes/gemini-upstream';
import { createOpenAIChatUpstream, FAKE_OPENAI_CHAT_KEY } from '../fakes/openai-chat-upstream';
import { createOpenAIResponsesUpstream, FAKE_OPENAI_RESPONSES_KEY } from '../fakes/openai-responses-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addMockProvider, addProvider, callRelay, createKey, jsonPost } from '../setup/seed';
import { DEFAULT_MAX_RETRIES } from '../../src/routing/provider';

const readAll = async (response: Response): Promise<string> => await response.text();

describe('same-format passthrough', () => {
  it('openai-chat: rewrites only model and auth, forces include_usage upstream, strips the usage chunk the client did not ask for', async () => {
    const upstream = createOpenAIChatUpstream();
    installFakeUpstreams({ 'http://chat.fake': upstream });
    await addProvider({ id: 'chat-pt', protocol: 'openai-chat', baseUrl: 'http://chat.fake/v1', apiKey: FAKE_OPENAI_CHAT_KEY, models: [{ name: 'pt-chat', upstream: 'gpt-real' }] });
    const { key } = await createKey();
    const body = { model: 'pt-chat', messages: [{ role: 'user', content: 'hi' }], stream: true, temperature: 0.3, custom_field: { kept: true } };
    const response = await jsonPost('/v1/chat/completions', key, body);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await readAll(response);
    expect(text).toContain('data: [DONE]');
    expect(text).not.toContain('"usage":{');

    const sent = upstream.requests[0];
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.headers.authorization).toBe(`Bearer ${FAKE_OPENAI_CHAT_KEY}`);
    expect(sent?.headers.authorization).not.toContain(key);
    expect(sent?.body).toEqual({ ...body, model: 'gpt-real', stream_options: { include_usage: true } });
  });

  it('openai-chat: keeps the usage chunk when the client asked, and records usage in D1', async () => {
    installFakeUpstreams({ 'http://chat.fake': createOpenAIChatUpstream() });
    await addProvider({ id: 'chat-usage', protocol: 'openai-chat', baseUrl: 'http://chat.fake/v1', apiKey: FAKE_OPENAI_CHAT_KEY, models: ['usage-chat'] });
    const { key, id } = await createKey();
    const response = await jsonPost('/v1/chat/completions', key, {
      model: 'usage-chat',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const requestId = response.headers.get('x-request-id');
    expect(await readAll(response)).toContain('"usage":{');
    const row = await waitForUsageRow(requestId ?? '');
    expect(row).toMatchObject({ key_id: id, model: 'usage-chat', provider_id: 'chat-usage', client_format: 'openai-chat', upstream_format: 'openai-chat', stream: 1, status: 200, usage_estimated: 0 });
    expect(Number(row.output_tokens)).toBeGreaterThan(0);
  });

  it('anthropic: forwards anthropic-version and anthropic-beta, pipes the SSE bytes unchanged', async () => {
    const upstream = createAnthropicUpstream();
    installFakeUpstreams({ 'http://anthropic.fake': upstream });
    await addProvider({ id: 'ant-pt', protocol: 'anthropic', baseUrl: 'http://anthropic.fake', apiKey: FAKE_ANTHROPIC_KEY, models: ['pt-claude'] });
    const { key } = await createKey();
    const response = await callRelay('/v1/messages?beta=true', {
      method: 'POST',
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'anthropic-beta': 'interleaved-thinking-2025-05-14', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'pt-claude', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await readAll(response);
    expect(text.startsWith('event: message_start\n')).toBe(true);
    expect(text).toContain('event: message_stop');
    const sent = upstream.requests[0];
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.headers['x-api-key']).toBe(FAKE_ANTHROPIC_KEY);
    expect(sent?.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
    expect(response.headers.get('anthropic-ratelimit-requests-limit')).toBeNull();
  });

  it('gemini: puts the upstream model in the path and the key in x-goog-api-key', async () => {
    const upstream = createGeminiUpstream();
    installFakeUpstreams({ 'http://gemini.fake': upstream });
    await addProvider({ id: 'gem-pt', protocol: 'gemini', baseUrl: 'http://gemini.fake', apiKey: FAKE_GEMINI_KEY, models: [{ name: 'pt-gemini', upstream: 'gemini-real' }] });
    const { key } = await createKey();
    const response = await callRelay(`/v1beta/models/pt-gemini:streamGenerateContent?alt=sse&key=${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    expect(response.status).toBe(200);
    expect(await readAll(response)).toContain('"finishReason":"STOP"');
    const sent = upstream.requests[0];
    expect(sent?.path).toBe('/v1beta/models/gemini-real:streamGenerateContent');
    expect(sent?.search).toContain('alt=sse');
    expect(sent?.headers['x-goog-api-key']).toBe(FAKE_GEMINI_KEY);
    expect(sent?.search).not.toContain(key);
  });

  it('passes upstream 4xx errors through in the same format, unchanged', async () => {
    const upstream = createOpenAIResponsesUpstream({ script: { type: 'error', status: 400, body: { error: { message: 'bad tool', type: 'invalid_request_error', param: 'tools', code: null } } } });
    installFakeUpstreams({ 'http://responses.fake': upstream });
    await addProvider({ id: 'resp-pt', protocol: 'openai-responses', baseUrl: 'http://responses.fake/v1', apiKey: FAKE_OPENAI_RESPONSES_KEY, models: ['pt-resp'] });
    const { key } = await createKey();
    const response = await jsonPost('/v1/responses', key, { model: 'pt-resp', input: 'hi' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { message: 'bad tool', type: 'invalid_request_error', param: 'tools', code: null } });
  });
});

describe('fallback across candidates', () => {
  it('moves to the next provider on 503 before any byte, across formats', async () => {
    const failing = createOpenAIChatUpstream({ script: { type: 'error', status: 503 } });
    const healthy = createAnthropicUpstream();
    installFakeUpstreams({ 'http://down.fake': failing, 'http://up.fake': healthy });
    await addProvider({ id: 'down', protocol: 'openai-chat', baseUrl: 'http://down.fake/v1', apiKey: FAKE_OPENAI_CHAT_KEY, models: ['pool-model'], priority: 0 });
    await addProvider({ id: 'up', protocol: 'anthropic', baseUrl: 'http://up.fake', apiKey: FAKE_ANTHROPIC_KEY, models: ['pool-model'], priority: 1 });
    const { key } = await createKey();
    const response = await jsonPost('/v1/chat/completions', key, { model: 'pool-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(200);
    // Tried again on the same provider first (DEFAULT_MAX_RETRIES), then the next one.
    expect(failing.requests).toHaveLength(1 + DEFAULT_MAX_RETRIES);
    expect(healthy.requests).toHaveLength(1);
    const completion = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(completion.choices[0]?.message.content).toMatch(/\S/);
  });

  it('refunds the quota and answers in the caller shape when every provider fails', async () => {
    installFakeUpstreams({ 'http://down.fake': createAnthropicUpstream({ replies: [{ kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded' }] }) });
    await addProvider({ id: 'down-only', protocol: 'anthropic', baseUrl: 'http://down.fake', apiKey: FAKE_ANTHROPIC_KEY, models: ['doomed'], maxRetries: 0 });
    await addMockProvider();
    const { key } = await createKey({ plan: 'free', quotaOverrides: { requestsPer5h: 1 } });
    const response = await jsonPost('/v1/chat/completions', key, { model: 'doomed', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { type: 'server_error' } });
    // The failed request was refunded, so the key's single request of the window is still there.
    const first = await jsonPost('/v1/chat/completions', key, { model: 'mock-after', messages: [{ role: 'user', content: 'hi' }] });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-remaining')).toBe('0');
    const second = await jsonPost('/v1/chat/completions', key, { model: 'mock-after', messages: [{ role: 'user', content: 'hi' }] });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await second.json()).toMatchObject({ error: { type: 'rate_limit_error', code: 'rate_limit_exceeded' } });
  });
});

const waitForUsageRow = async (requestId: string): Promise<Record<string, unknown>> => {
  for (let i = 0; i < 100; i++) {
    const row = await env.DB.prepare('SELECT * FROM usage_events WHERE request_id = ?').bind(requestId).first<Record<string, unknown>>();
    if (row !== null) return row;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no usage row for ${requestId}`);
};
