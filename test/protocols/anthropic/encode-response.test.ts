import { describe, expect, it } from 'vitest';
import { encodeAnthropicResponse } from '../../../src/protocols/anthropic/encode-response';
import { clientContext } from './helpers';

const usage = { inputTokens: 30, outputTokens: 56, cacheReadTokens: 5, cacheWriteTokens: 3, reasoningTokens: 40 };

describe('encodeAnthropicResponse', () => {
  it('builds a Message with the public model, msg_ id, envelopes and Anthropic usage', () => {
    const out = encodeAnthropicResponse(
      {
        id: 'r9',
        model: 'g3',
        content: [
          { type: 'thinking', text: 'Need both.', signature: { origin: 'gemini', value: 'U0lH', placement: 'fc' } },
          { type: 'thinking', text: 'unsigned' },
          { type: 'text', text: '' },
          { type: 'tool_call', id: 'call_r9_0', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool_call', id: 'call_r9_1', name: 'ls', arguments: '' },
        ],
        stopReason: 'end_turn',
        usage,
      },
      clientContext({ model: 'claude-public' }),
    );
    expect(out).toEqual({
      id: 'msg_r9',
      type: 'message',
      role: 'assistant',
      model: 'claude-public',
      content: [
        { type: 'thinking', thinking: 'Need both.', signature: 'prx1:gem:fc:U0lH' },
        { type: 'thinking', thinking: 'unsigned', signature: 'prx1:none' },
        { type: 'tool_use', id: 'call_r9_0', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_r9_1', name: 'ls', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      stop_details: null,
      usage: { input_tokens: 22, cache_creation_input_tokens: 3, cache_read_input_tokens: 5, output_tokens: 56, output_tokens_details: { thinking_tokens: 40 } },
    });
  });

  it('keeps Anthropic ids and signatures raw, and maps every stop reason', () => {
    const base = { model: 'x', usage: { ...usage, reasoningTokens: 0 } };
    const out = encodeAnthropicResponse(
      { ...base, id: 'msg_abc', content: [{ type: 'thinking', text: 't', signature: { origin: 'anthropic', value: 'EsEC' } }, { type: 'text', text: 'hi' }], stopReason: 'stop_sequence', stopSequence: 'END' },
      clientContext(),
    );
    expect(out.id).toBe('msg_abc');
    expect(out.content[0]).toEqual({ type: 'thinking', thinking: 't', signature: 'EsEC' });
    expect([out.stop_reason, out.stop_sequence]).toEqual(['stop_sequence', 'END']);
    expect(out.usage.output_tokens_details).toBeUndefined();
    const reason = (stopReason: Parameters<typeof encodeAnthropicResponse>[0]['stopReason']) =>
      encodeAnthropicResponse({ ...base, id: 'i', content: [], stopReason, stopSequence: 'x' }, clientContext());
    expect(reason('content_filter').stop_reason).toBe('refusal');
    expect(reason('context_window').stop_reason).toBe('model_context_window_exceeded');
    expect(reason('max_tokens')).toMatchObject({ stop_reason: 'max_tokens', stop_sequence: null });
    expect(reason('pause_turn').stop_reason).toBe('pause_turn');
  });
});
