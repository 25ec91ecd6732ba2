import { describe, expect, it } from 'vitest';
import type { WireFormat } from '../../../src/ir/format';
import type { IrRequest } from '../../../src/ir/request';
import type { IrResponse } from '../../../src/ir/response';
import { codecFor } from '../../../src/protocols/registry';

/**
 * Prompt caching end to end: breakpoints a client marks reach an Anthropic upstream as
 * `cache_control`, and cache reads and writes come back in every client format's usage fields.
 */
describe('cache breakpoints across formats', () => {
  it('OpenAI-chat parts and tools with cache_control (OpenRouter style) reach Anthropic as breakpoints', () => {
    const ir = codecFor('openai-chat').decodeRequest(
      {
        model: 'claude',
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'Long system prompt', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Big document', cache_control: { type: 'ephemeral' } },
              { type: 'text', text: 'Question?' },
            ],
          },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'read', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'file body', cache_control: { type: 'ephemeral' } }] },
        ],
        tools: [{ type: 'function', function: { name: 'read', parameters: { type: 'object' } }, cache_control: { type: 'ephemeral' } }],
      },
      {},
    );
    const body = codecFor('anthropic').encodeRequest(ir, { model: 'claude-up', stream: false }).body as Record<string, unknown>;
    expect(body.system).toEqual([{ type: 'text', text: 'Long system prompt', cache_control: { type: 'ephemeral', ttl: '1h' } }]);
    expect(body.tools).toEqual([{ name: 'read', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } }]);
    const messages = body.messages as Array<{ role: string; content: unknown }>;
    expect(messages[0]?.content).toEqual([
      { type: 'text', text: 'Big document', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Question?' },
    ]);
    expect(messages[2]?.content).toEqual([
      { type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'file body', cache_control: { type: 'ephemeral' } }] },
    ]);
  });

  it('Anthropic system blocks and tools keep theirs through translation from an Anthropic client', () => {
    const ir = codecFor('anthropic').decodeRequest(
      {
        model: 'c',
        max_tokens: 100,
        system: [{ type: 'text', text: 'cached', cache_control: { type: 'ephemeral' } }],
        tools: [{ name: 't', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral', ttl: '1h' } }],
        messages: [{ role: 'user', content: 'hi' }],
      },
      {},
    );
    expect(ir.system).toEqual([{ type: 'text', text: 'cached', cache: {} }]);
    expect(ir.tools?.[0]?.cache).toEqual({ ttl: '1h' });
  });

  it('passthrough leaves cache_control untouched', () => {
    const body = {
      model: 'up',
      max_tokens: 100,
      system: [{ type: 'text', text: 's', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } }] }],
    };
    expect(codecFor('anthropic').rewritePassthrough(body, { model: 'up', stream: false }).body).toBe(body);
  });
});

describe('cache reads and writes in every client format', () => {
  const request: IrRequest = { model: 'public', system: [], messages: [], stream: false };
  const response: IrResponse = {
    id: 'up1',
    model: 'up',
    content: [{ type: 'text', text: 'hi' }],
    stopReason: 'end_turn',
    usage: { inputTokens: 1000, cacheReadTokens: 800, cacheWriteTokens: 150, outputTokens: 20, reasoningTokens: 0 },
  };
  const usageOf = (format: WireFormat) => {
    const encoded = codecFor(format).encodeResponse(response, { requestId: 'r', request, created: 1 }) as Record<string, unknown>;
    return (encoded.usage ?? encoded.usageMetadata) as Record<string, unknown>;
  };

  it('openai-chat: prompt_tokens_details.cached_tokens', () => {
    expect(usageOf('openai-chat')).toMatchObject({ prompt_tokens: 1000, prompt_tokens_details: { cached_tokens: 800, cache_write_tokens: 150 } });
  });
  it('openai-responses: input_tokens_details.cached_tokens', () => {
    expect(usageOf('openai-responses')).toMatchObject({ input_tokens: 1000, input_tokens_details: { cached_tokens: 800 } });
  });
  it('gemini: cachedContentTokenCount', () => {
    expect(usageOf('gemini')).toMatchObject({ promptTokenCount: 1000, cachedContentTokenCount: 800 });
  });
  it('anthropic: cache_read_input_tokens / cache_creation_input_tokens, input_tokens without them', () => {
    expect(usageOf('anthropic')).toMatchObject({ input_tokens: 50, cache_read_input_tokens: 800, cache_creation_input_tokens: 150 });
  });
});
