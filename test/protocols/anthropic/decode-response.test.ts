import { describe, expect, it } from 'vitest';
import { decodeAnthropicResponse } from '../../../src/protocols/anthropic/decode-response';
import recordedToolNoArgs from '../../fixtures/anthropic/anthropic-tool-no-args.json';
import { thrown } from './helpers';

describe('decodeAnthropicResponse', () => {
  it('reads the recorded non-streaming tool call (input {})', () => {
    expect(decodeAnthropicResponse(recordedToolNoArgs)).toEqual({
      id: 'msg_01GCBaV8gyWAYgMVggRqZbuQ',
      model: 'claude-3-opus-20240229',
      content: [
        { type: 'text', text: recordedToolNoArgs.content[0]?.text },
        { type: 'tool_call', id: 'toolu_01LRmxn9vGM1d2DZSDBowdZ1', name: 'updateIssueList', arguments: '{}' },
      ],
      stopReason: 'tool_use',
      stopSequence: null,
      usage: { inputTokens: 602, outputTokens: 93, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    });
  });

  it('reads thinking, redacted thinking, cache usage and skips server-tool blocks', () => {
    const ir = decodeAnthropicResponse({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-5',
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 'EsEC' },
        { type: 'redacted_thinking', data: 'EmwK' },
        { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
        { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
        { type: 'text', text: 'Found.', citations: [{ type: 'web_search_result_location', url: 'https://x' }] },
      ],
      stop_reason: 'stop_sequence',
      stop_sequence: 'END',
      usage: {
        input_tokens: 10,
        cache_creation_input_tokens: 20,
        cache_read_input_tokens: 30,
        output_tokens: 50,
        output_tokens_details: { thinking_tokens: 12 },
      },
    });
    expect(ir.content).toEqual([
      { type: 'thinking', text: 'hmm', signature: { origin: 'anthropic', value: 'EsEC' } },
      { type: 'redacted_thinking', data: 'EmwK' },
      { type: 'text', text: 'Found.' },
    ]);
    expect([ir.stopReason, ir.stopSequence]).toEqual(['stop_sequence', 'END']);
    expect(ir.usage).toEqual({ inputTokens: 60, outputTokens: 50, cacheReadTokens: 30, cacheWriteTokens: 20, reasoningTokens: 12 });
  });

  it('maps refusal and context-window stops, and lets a tool call win over end_turn', () => {
    const message = (stop_reason: string, content: unknown[] = []) => ({ id: 'm', model: 'x', content, stop_reason, usage: { input_tokens: 1, output_tokens: 1 } });
    expect(decodeAnthropicResponse(message('refusal')).stopReason).toBe('content_filter');
    expect(decodeAnthropicResponse(message('model_context_window_exceeded')).stopReason).toBe('context_window');
    expect(decodeAnthropicResponse(message('pause_turn')).stopReason).toBe('pause_turn');
    expect(decodeAnthropicResponse(message('end_turn', [{ type: 'tool_use', id: 't', name: 'f', input: {} }])).stopReason).toBe('tool_use');
    expect(decodeAnthropicResponse(message('max_tokens', [{ type: 'tool_use', id: 't', name: 'f', input: {} }])).stopReason).toBe('max_tokens');
  });

  it('rejects a body that is not a Message', () => {
    const error = thrown(() => decodeAnthropicResponse({ type: 'error' }));
    expect([error.kind, error.message]).toEqual(['api_error', 'anthropic: malformed response (not a Message)']);
  });
});
