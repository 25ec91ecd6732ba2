import { describe, expect, it } from 'vitest';
import { decodeGeminiUsage, decodeGeminiUsagePartial, encodeGeminiUsage, mergeGeminiUsage } from '../../../src/protocols/gemini/usage';

describe('Gemini usage', () => {
  it('output includes thoughts and input includes tool-use prompt tokens (total = in + out)', () => {
    const metadata = { promptTokenCount: 19, cachedContentTokenCount: 3, candidatesTokenCount: 4, toolUsePromptTokenCount: 63, thoughtsTokenCount: 56, totalTokenCount: 142 };
    const usage = decodeGeminiUsage(metadata);
    expect(usage).toEqual({ inputTokens: 82, outputTokens: 60, cacheReadTokens: 3, cacheWriteTokens: 0, reasoningTokens: 56 });
    expect(usage.inputTokens + usage.outputTokens).toBe(metadata.totalTokenCount);
  });

  it('encodes candidates = output − reasoning, total = input + output, zero counts left out', () => {
    const usage = { inputTokens: 30, outputTokens: 56, cacheReadTokens: 0, cacheWriteTokens: 7, reasoningTokens: 40 };
    const metadata = encodeGeminiUsage(usage);
    expect(metadata).toEqual({ promptTokenCount: 30, candidatesTokenCount: 16, totalTokenCount: 86, thoughtsTokenCount: 40 });
    expect(decodeGeminiUsage({ ...metadata })).toEqual({ ...usage, cacheWriteTokens: 0 });
  });

  it('partial usage only names what the chunk said; merging replaces field by field', () => {
    expect(decodeGeminiUsagePartial({})).toBeUndefined();
    expect(decodeGeminiUsagePartial({ promptTokenCount: 9 })).toEqual({ inputTokens: 9 });
    const base = decodeGeminiUsage({ promptTokenCount: 9, candidatesTokenCount: 1 });
    expect(mergeGeminiUsage(base, { outputTokens: 5 })).toEqual({ ...base, outputTokens: 5 });
  });
});
