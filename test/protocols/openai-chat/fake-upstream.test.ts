import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { openaiChatCodec } from '../../../src/protocols/openai-chat';
import { decodeSse } from '../../../src/streams/sse-decode';
import { createOpenAIChatUpstream, FAKE_OPENAI_CHAT_KEY, FAKE_OPENAI_CHAT_TEXT } from '../../fakes/openai-chat-upstream';
import type { FakeOpenAIChatUpstream } from '../../fakes/openai-chat-upstream';
import toolStep from '../../fixtures/openai-chat/issue-15789-step-1.chunks.txt?raw';
import { baseRequest, expectIrInvariants } from './helpers';
import { decodeStreamOf } from '../../setup/codec-streams';

const BASE_URL = 'https://fake-openai.test/v1';
const sdk = (fake: FakeOpenAIChatUpstream, apiKey = FAKE_OPENAI_CHAT_KEY) =>
  new OpenAI({ apiKey, baseURL: BASE_URL, maxRetries: 0, fetch: (input, init) => fake(new Request(input, init)) });

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('fake OpenAI Chat upstream', () => {
  it('answers the happy text script and records the request', async () => {
    const fake = createOpenAIChatUpstream();
    const completion = await sdk(fake).chat.completions.create({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe(FAKE_OPENAI_CHAT_TEXT);
    expect(completion.model).toBe('gpt-x');
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { model: 'gpt-x' } });
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${FAKE_OPENAI_CHAT_KEY}`);
  });

  it('calls the first offered tool, streamed, with usage only when include_usage is set', async () => {
    const fake = createOpenAIChatUpstream();
    const stream = sdk(fake).chat.completions.stream({
      model: 'gpt-x',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [weatherTool],
      stream_options: { include_usage: true },
    });
    const completion = await stream.finalChatCompletion();
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"example"}' } });
    expect(completion.usage?.total_tokens).toBe(19);

    const plain = await sdk(fake).chat.completions.stream({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] }).finalChatCompletion();
    expect(plain.choices[0]?.message.content).toBe(FAKE_OPENAI_CHAT_TEXT);
    expect(plain.usage).toBeUndefined();
  });

  it('answers text once the last message is a tool result', async () => {
    const fake = createOpenAIChatUpstream();
    const completion = await sdk(fake).chat.completions.create({
      model: 'gpt-x',
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      ],
    });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
  });

  it('rejects a wrong key and a wrong path in the OpenAI error shape', async () => {
    const fake = createOpenAIChatUpstream();
    await expect(sdk(fake, 'sk-wrong').chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    const response = await fake(new Request('https://fake-openai.test/v1/completions', { method: 'POST', body: '{}' }));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('plays queued scripts in order: an error, then a recorded stream through the codec', async () => {
    const fake = createOpenAIChatUpstream();
    fake.enqueue({ type: 'error', status: 429, headers: { 'retry-after': '3' } }, { type: 'recorded', text: toolStep });
    const encoded = openaiChatCodec.encodeRequest(baseRequest(), { model: 'gpt-4o', stream: true });
    const send = () =>
      fake(new Request(`${BASE_URL}${encoded.path}`, { method: 'POST', headers: openaiChatCodec.authHeaders(FAKE_OPENAI_CHAT_KEY), body: JSON.stringify(encoded.body) }));

    const limited = await send();
    const error = openaiChatCodec.decodeError(limited.status, await limited.text(), limited.headers);
    expect([error.kind, error.status, error.retryAfterSeconds]).toEqual(['rate_limit', 429, 3]);

    const streamed = await send();
    expect(streamed.headers.get('content-type')).toContain('text/event-stream');
    const body = streamed.body;
    if (!body) throw new Error('no body');
    const events = [];
    for await (const event of body.pipeThrough(decodeSse()).pipeThrough(decodeStreamOf(openaiChatCodec))) events.push(event);
    expectIrInvariants(events);
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', stopReason: 'tool_use', usage: { inputTokens: 58 } });
    expect(fake.requests[1]?.body).toMatchObject({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true } });
  });

  it('streams scripted payloads, and can leave out [DONE]', async () => {
    const fake = createOpenAIChatUpstream({ script: { type: 'stream', chunks: [{ choices: [] }], done: false } });
    const response = await fake(
      new Request(`${BASE_URL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${FAKE_OPENAI_CHAT_KEY}` },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true }),
      }),
    );
    expect(await response.text()).toBe('data: {"choices":[]}\n\n');
  });
});
