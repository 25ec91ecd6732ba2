import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import { decodeOpenAIChatResponse } from '../../../src/protocols/openai-chat/decode-response';
import openaiText from '../../fixtures/openai-chat/openai-text.json?raw';

const completion = (message: Record<string, unknown>, finishReason = 'stop', extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-x',
  choices: [{ index: 0, message: { role: 'assistant', refusal: null, ...message }, logprobs: null, finish_reason: finishReason }],
  ...extra,
});

describe('decodeOpenAIChatResponse', () => {
  it('reads the recorded openai-text.json', () => {
    const response = decodeOpenAIChatResponse(JSON.parse(openaiText));
    expect(response.id).toBe('chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU');
    expect(response.model).toBe('gpt-4.1-nano-2025-04-14');
    expect(response.content).toHaveLength(1);
    expect(response.content[0]?.type === 'text' && response.content[0].text.startsWith('**Holiday Name:** Galaxy Day')).toBe(true);
    expect(response.stopReason).toBe('end_turn');
    expect(response.stopSequence).toBeNull();
    expect(response.usage).toEqual({ inputTokens: 16, outputTokens: 363, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it('reads reasoning_content, text and tool calls in that order; a tool call makes the reason tool_use', () => {
    const response = decodeOpenAIChatResponse(
      completion(
        {
          content: 'Let me check.',
          reasoning_content: 'Need weather.',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        'stop',
        { usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30, completion_tokens_details: { reasoning_tokens: 8 } } },
      ),
    );
    expect(response.content).toEqual([
      { type: 'thinking', text: 'Need weather.' },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
    ]);
    expect(response.stopReason).toBe('tool_use');
    expect(response.usage.reasoningTokens).toBe(8);
  });

  it('reads `reasoning` (OpenRouter style), array content (Mistral style) and a refusal', () => {
    expect(decodeOpenAIChatResponse(completion({ content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }], reasoning: 'r' })).content).toEqual([
      { type: 'thinking', text: 'r' },
      { type: 'text', text: 'ab' },
    ]);
    const refused = decodeOpenAIChatResponse(completion({ content: null, refusal: 'I cannot help with that.' }));
    expect(refused.content).toEqual([{ type: 'text', text: 'I cannot help with that.' }]);
    expect(refused.stopReason).toBe('content_filter');
  });

  it('maps length and content_filter, and tolerates missing usage', () => {
    const long = decodeOpenAIChatResponse(completion({ content: 'abc' }, 'length'));
    expect(long.stopReason).toBe('max_tokens');
    expect(long.usage).toEqual({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(decodeOpenAIChatResponse(completion({ content: null }, 'content_filter')).stopReason).toBe('content_filter');
  });

  it('mints an id for a tool call without one', () => {
    const response = decodeOpenAIChatResponse(completion({ content: null, tool_calls: [{ type: 'function', function: { name: 'ls', arguments: '' } }] }, 'tool_calls'));
    expect(response.content[0]).toMatchObject({ type: 'tool_call', name: 'ls', arguments: '' });
    expect(response.content[0]?.type === 'tool_call' && response.content[0].id).toMatch(/^call_/);
  });

  it('fails with a 502 api_error on an unreadable body or no choices', () => {
    expect(() => decodeOpenAIChatResponse({ id: 'x' })).toThrow(RelayError);
    try {
      decodeOpenAIChatResponse({ id: 'x', choices: [] });
    } catch (error) {
      expect(error).toBeInstanceOf(RelayError);
      expect((error as RelayError).status).toBe(502);
      expect((error as RelayError).message).toBe('openai: chat completion response has no choices');
    }
  });
});
