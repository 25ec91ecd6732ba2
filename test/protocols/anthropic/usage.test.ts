import { describe, expect, it } from 'vitest';
import { decodeAnthropicUsage, encodeAnthropicUsage } from '../../../src/protocols/anthropic/usage';

describe('Anthropic usage ↔ IR', () => {
  it('IR input totals include cache reads and writes; output includes thinking', () => {
    const ir = decodeAnthropicUsage({
      input_tokens: 20,
      cache_creation_input_tokens: 7,
      cache_read_input_tokens: 5,
      output_tokens: 12,
      output_tokens_details: { thinking_tokens: 4 },
    });
    expect(ir).toEqual({ inputTokens: 32, outputTokens: 12, cacheReadTokens: 5, cacheWriteTokens: 7, reasoningTokens: 4 });
    expect(ir.inputTokens).toBe(20 + ir.cacheReadTokens + ir.cacheWriteTokens);
    expect(ir.reasoningTokens).toBeLessThanOrEqual(ir.outputTokens);
  });

  it('round-trips and never encodes a negative input', () => {
    const wire = { input_tokens: 20, cache_creation_input_tokens: 7, cache_read_input_tokens: 5, output_tokens: 12, output_tokens_details: { thinking_tokens: 4 } };
    expect(encodeAnthropicUsage(decodeAnthropicUsage(wire))).toEqual(wire);
    expect(encodeAnthropicUsage({ inputTokens: 3, cacheReadTokens: 5, cacheWriteTokens: 1, outputTokens: 1 })).toEqual({
      input_tokens: 0,
      cache_creation_input_tokens: 1,
      cache_read_input_tokens: 5,
      output_tokens: 1,
    });
  });

  it('reads missing and null fields as 0', () => {
    expect(decodeAnthropicUsage({ input_tokens: 3, output_tokens: null })).toEqual({
      inputTokens: 3,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
    expect(decodeAnthropicUsage(undefined).inputTokens).toBe(0);
  });
});
