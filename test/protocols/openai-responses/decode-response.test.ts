import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import { decodeResponsesResponse } from '../../../src/protocols/openai-responses/decode-response';
import cacheFixture from '../../fixtures/openai-responses/issue-19921-prompt-cache-breakpoint.json';

describe('decodeResponsesResponse', () => {
  it('reads the recorded gpt-5.6 text answer (issue-19921)', () => {
    expect(decodeResponsesResponse(cacheFixture)).toEqual({
      id: 'resp_0673f9b3b0bbc1c2006a91afc6af1087d28bd82134caca9fb6',
      model: 'gpt-5.6-sol',
      content: [{ type: 'text', text: 'OK' }],
      stopReason: 'end_turn',
      usage: { inputTokens: 41, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    });
  });

  it('reads reasoning, namespaced function calls and cache usage', () => {
    const response = decodeResponsesResponse({
      id: 'resp_1',
      object: 'response',
      status: 'completed',
      model: 'gpt-5',
      output: [
        { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'a' }, { type: 'summary_text', text: 'b' }], encrypted_content: 'ENC' },
        { id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Calling.', annotations: [] }] },
        { id: 'fc_1', type: 'function_call', status: 'completed', call_id: 'call_1', name: 'search', namespace: 'mcp__docs__', arguments: '{"q":1}' },
        { id: 'ws_1', type: 'web_search_call', status: 'completed' },
      ],
      usage: {
        input_tokens: 100,
        input_tokens_details: { cached_tokens: 60, cache_write_tokens: 10 },
        output_tokens: 30,
        output_tokens_details: { reasoning_tokens: 20 },
        total_tokens: 130,
      },
    });
    expect(response.content).toEqual([
      { type: 'thinking', text: 'a\n\nb', signature: { origin: 'openai-responses', value: 'ENC', itemId: 'rs_1' } },
      { type: 'text', text: 'Calling.' },
      { type: 'tool_call', id: 'call_1', name: 'mcp__docs__search', arguments: '{"q":1}' },
    ]);
    expect(response.stopReason).toBe('tool_use');
    expect(response.usage).toEqual({ inputTokens: 100, outputTokens: 30, cacheReadTokens: 60, cacheWriteTokens: 10, reasoningTokens: 20 });
  });

  it('maps incomplete and refusal answers, and throws for failed ones', () => {
    const base = { id: 'r', model: 'm', usage: null };
    expect(decodeResponsesResponse({ ...base, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [] }).stopReason).toBe('max_tokens');
    expect(decodeResponsesResponse({ ...base, status: 'incomplete', incomplete_details: { reason: 'content_filter' }, output: [] }).stopReason).toBe(
      'content_filter',
    );
    const refusal = decodeResponsesResponse({ ...base, status: 'completed', output: [{ type: 'message', content: [{ type: 'refusal', refusal: 'No.' }] }] });
    expect([refusal.content, refusal.stopReason]).toEqual([[{ type: 'text', text: 'No.' }], 'content_filter']);
    expect(() => decodeResponsesResponse({ ...base, status: 'failed', error: { code: 'server_error', message: 'boom' } })).toThrow('openai: boom');
    expect(() => decodeResponsesResponse('nope')).toThrow(RelayError);
  });
});
