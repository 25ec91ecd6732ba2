import { describe, expect, it } from 'vitest';
import { decodeOpenAIChatUsage, encodeOpenAIChatUsage } from '../../../src/protocols/openai-chat/usage';

describe('OpenAI Chat usage', () => {
  it('decodes totals that already include cached and reasoning tokens', () => {
    expect(
      decodeOpenAIChatUsage({
        prompt_tokens: 100,
        completion_tokens: 50,
        total_tokens: 150,
        prompt_tokens_details: { cached_tokens: 60, cache_write_tokens: 10 },
        completion_tokens_details: { reasoning_tokens: 30 },
      }),
    ).toEqual({ inputTokens: 100, outputTokens: 50, cacheReadTokens: 60, cacheWriteTokens: 10, reasoningTokens: 30 });
    expect(decodeOpenAIChatUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it('encodes with total = prompt + completion and round-trips', () => {
    const usage = { inputTokens: 30, outputTokens: 56, cacheReadTokens: 4, cacheWriteTokens: 2, reasoningTokens: 40 };
    const wire = encodeOpenAIChatUsage(usage);
    expect(wire.total_tokens).toBe(wire.prompt_tokens + wire.completion_tokens);
    expect(wire.completion_tokens).toBeGreaterThanOrEqual(wire.completion_tokens_details.reasoning_tokens);
    expect(wire.prompt_tokens).toBeGreaterThanOrEqual(wire.prompt_tokens_details.cached_tokens + wire.prompt_tokens_details.cache_write_tokens);
    expect(decodeOpenAIChatUsage(wire)).toEqual(usage);
  });
});
