import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { IrResponse } from '../../../src/ir/response';
import { encodeOpenAIChatResponse } from '../../../src/protocols/openai-chat/encode-response';
import { clientContext } from './helpers';

const response = (overrides: Partial<IrResponse> = {}): IrResponse => ({
  id: 'msg_1',
  model: 'claude-x',
  content: [{ type: 'text', text: 'Hello.' }],
  stopReason: 'end_turn',
  usage: { inputTokens: 25, outputTokens: 12, cacheReadTokens: 5, cacheWriteTokens: 2, reasoningTokens: 3 },
  ...overrides,
});

describe('encodeOpenAIChatResponse', () => {
  it('writes a chat.completion with the derived id, the client model and usage', () => {
    expect(encodeOpenAIChatResponse(response(), clientContext({ model: 'public-model' }))).toEqual({
      id: 'chatcmpl-msg_1',
      object: 'chat.completion',
      created: 1700000000,
      model: 'public-model',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: 25,
        completion_tokens: 12,
        total_tokens: 37,
        prompt_tokens_details: { cached_tokens: 5, cache_write_tokens: 2 },
        completion_tokens_details: { reasoning_tokens: 3 },
      },
    });
  });

  it('puts tool calls with content null, thinking in reasoning_content, and forces tool_calls', () => {
    const body = encodeOpenAIChatResponse(
      response({
        content: [
          { type: 'thinking', text: 'plan', signature: { origin: 'anthropic', value: 'sig' } },
          { type: 'tool_call', id: 'toolu_1', name: 'ls', arguments: '' },
        ],
        stopReason: 'end_turn',
      }),
      clientContext(),
    ) as { choices: Array<{ message: Record<string, unknown>; finish_reason: string }> };
    expect(body.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        reasoning_content: 'plan',
        tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'ls', arguments: '{}' } }],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    });
    expect(JSON.stringify(body)).not.toContain('sig');
  });

  it('hides thinking when the request says so, and maps the other stop reasons', () => {
    const hidden = encodeOpenAIChatResponse(
      response({ content: [{ type: 'thinking', text: 'x' }], stopReason: 'max_tokens' }),
      clientContext({ reasoning: { enabled: true, visible: false } }),
    ) as { choices: Array<{ message: Record<string, unknown>; finish_reason: string }> };
    expect(hidden.choices[0]?.message).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(hidden.choices[0]?.finish_reason).toBe('length');
    const filtered = encodeOpenAIChatResponse(response({ stopReason: 'content_filter' }), clientContext()) as { choices: Array<{ finish_reason: string }> };
    expect(filtered.choices[0]?.finish_reason).toBe('content_filter');
  });

  it('is accepted by openai-node as a ChatCompletion', async () => {
    const body = encodeOpenAIChatResponse(response({ content: [{ type: 'text', text: 'Hi' }, { type: 'tool_call', id: 'c', name: 'f', arguments: '{"a":1}' }] }), clientContext());
    const client = new OpenAI({
      apiKey: 'sk-test',
      baseURL: 'http://relay.test/v1',
      maxRetries: 0,
      fetch: async () => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }),
    });
    const completion = await client.chat.completions.create({ model: 'm1', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hi');
    expect(completion.choices[0]?.message.tool_calls?.[0]).toEqual({ id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":1}' } });
  });
});
