import type { IrUsage } from '../../ir/usage';

/**
 * OpenAI `CompletionUsage` ↔ IR usage. Both count the same way: `prompt_tokens` includes cached
 * tokens and `completion_tokens` includes reasoning tokens, so the totals map one to one.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 */
interface OpenAIChatUsageIn {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null; cache_write_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

export const decodeOpenAIChatUsage = (usage: OpenAIChatUsageIn | null | undefined): IrUsage => ({
  inputTokens: usage?.prompt_tokens ?? 0,
  outputTokens: usage?.completion_tokens ?? 0,
  cacheReadTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
  cacheWriteTokens: usage?.prompt_tokens_details?.cache_write_tokens ?? 0,
  reasoningTokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0,
});

export interface OpenAIChatUsageOut {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

export const encodeOpenAIChatUsage = (usage: IrUsage): OpenAIChatUsageOut => ({
  prompt_tokens: usage.inputTokens,
  completion_tokens: usage.outputTokens,
  total_tokens: usage.inputTokens + usage.outputTokens,
  prompt_tokens_details: { cached_tokens: usage.cacheReadTokens, cache_write_tokens: usage.cacheWriteTokens },
  completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
});
