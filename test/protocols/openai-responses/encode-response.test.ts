import { describe, expect, it } from 'vitest';
import type { IrResponse } from '../../../src/ir/response';
import { decodeResponsesResponse } from '../../../src/protocols/openai-responses/decode-response';
import { encodeResponsesResponse } from '../../../src/protocols/openai-responses/encode-response';
import { clientContext } from './helpers';

const response: IrResponse = {
  id: 'msg_01',
  model: 'claude-upstream',
  content: [
    { type: 'thinking', text: 'Plan.', signature: { origin: 'anthropic', value: 'SIG' } },
    { type: 'text', text: 'Hello ' },
    { type: 'text', text: 'world' },
    { type: 'redacted_thinking', data: 'opaque' },
    { type: 'tool_call', id: 'toolu_1', name: 'mcp__docs__search', arguments: '' },
  ],
  stopReason: 'tool_use',
  usage: { inputTokens: 30, outputTokens: 56, cacheReadTokens: 5, cacheWriteTokens: 2, reasoningTokens: 40 },
};

const context = clientContext({
  model: 'public-model',
  tools: [{ name: 'mcp__docs__search', parameters: { type: 'object' }, namespace: { name: 'mcp__docs__', member: 'search' } }],
});

describe('encodeResponsesResponse', () => {
  it('builds the Response object: resp_ id, public model, items in order, usage with total', () => {
    const body = encodeResponsesResponse(response, context);
    expect(body).toMatchObject({
      id: 'resp_msg_01',
      object: 'response',
      created_at: 1700000000,
      status: 'completed',
      model: 'public-model',
      error: null,
      incomplete_details: null,
      usage: {
        input_tokens: 30,
        input_tokens_details: { cached_tokens: 5, cache_write_tokens: 2 },
        output_tokens: 56,
        output_tokens_details: { reasoning_tokens: 40 },
        total_tokens: 86,
      },
    });
    expect(body.output).toMatchObject([
      { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Plan.' }], encrypted_content: 'prx1:ant:SIG' },
      { type: 'message', status: 'completed', role: 'assistant', content: [{ text: 'Hello ' }, { text: 'world' }] },
      { type: 'function_call', status: 'completed', call_id: 'toolu_1', name: 'search', namespace: 'mcp__docs__', arguments: '{}' },
    ]);
    expect(body.output.map((item) => item.id.slice(0, 3))).toEqual(['rs_', 'msg', 'fc_']);
  });

  it('reports max_tokens as incomplete and round-trips through the upstream decoder', () => {
    const body = encodeResponsesResponse({ ...response, stopReason: 'max_tokens' }, context);
    expect(body).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    expect(body).not.toHaveProperty('completed_at');
    const back = decodeResponsesResponse(JSON.parse(JSON.stringify(encodeResponsesResponse(response, context))));
    expect(back.usage).toEqual(response.usage);
    expect(back.stopReason).toBe('tool_use');
    expect(back.content[0]).toEqual({ type: 'thinking', text: 'Plan.', signature: { origin: 'anthropic', value: 'SIG' } });
  });
});
