import type { IrUsage } from '../../ir/usage';
import type { GeminiUsageMetadata } from './schema';

/**
 * Gemini `usageMetadata` ↔ IR usage. `promptTokenCount` includes cached tokens;
 * `candidatesTokenCount` excludes thoughts, so IR output = candidates + thoughts (else prompt + output falls short
 * of `totalTokenCount`), and
 * tool-use prompt tokens count as input. Gemini has no cache-write figure.
 * @see https://ai.google.dev/api/generate-content#UsageMetadata
 */
export const decodeGeminiUsagePartial = (
  metadata: GeminiUsageMetadata | null | undefined,
): Partial<IrUsage> | undefined => {
  if (metadata === null || metadata === undefined) return undefined;
  const usage: Partial<IrUsage> = {};
  const prompt = metadata.promptTokenCount;
  const toolPrompt = metadata.toolUsePromptTokenCount;
  if (typeof prompt === 'number' || typeof toolPrompt === 'number') usage.inputTokens = (prompt ?? 0) + (toolPrompt ?? 0);
  if (typeof metadata.cachedContentTokenCount === 'number') usage.cacheReadTokens = metadata.cachedContentTokenCount;
  const candidates = metadata.candidatesTokenCount;
  const thoughts = metadata.thoughtsTokenCount;
  if (typeof candidates === 'number' || typeof thoughts === 'number') usage.outputTokens = (candidates ?? 0) + (thoughts ?? 0);
  if (typeof thoughts === 'number') usage.reasoningTokens = thoughts;
  return Object.keys(usage).length === 0 ? undefined : usage;
};

export const decodeGeminiUsage = (metadata: GeminiUsageMetadata | null | undefined): IrUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  ...decodeGeminiUsagePartial(metadata),
});

export interface GeminiUsageMetadataOut {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
}

/** Zero cache/thought counts are left out, as the API (proto3 JSON) does. */
export const encodeGeminiUsage = (usage: IrUsage): GeminiUsageMetadataOut => {
  const out: GeminiUsageMetadataOut = {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: Math.max(0, usage.outputTokens - usage.reasoningTokens),
    totalTokenCount: usage.inputTokens + usage.outputTokens,
  };
  if (usage.cacheReadTokens > 0) out.cachedContentTokenCount = usage.cacheReadTokens;
  if (usage.reasoningTokens > 0) out.thoughtsTokenCount = usage.reasoningTokens;
  return out;
};

/** Cumulative usage: fields present in `update` replace those in `base`. */
export const mergeGeminiUsage = (base: IrUsage, update: Partial<IrUsage> | undefined): IrUsage => {
  const merged = { ...base };
  if (update === undefined) return merged;
  for (const key of ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens'] as const) {
    const value = update[key];
    if (typeof value === 'number') merged[key] = value;
  }
  return merged;
};
