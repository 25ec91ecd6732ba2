import type { IrUsage } from '../../ir/usage';
import type { ResponsesUsageWire } from './schema';

/**
 * Responses usage ↔ IR usage. Both already count totals with their parts: `input_tokens` includes
 * cached tokens, `output_tokens` includes reasoning.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage
 */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

const count = (value: number | null | undefined): number => (typeof value === 'number' && value > 0 ? value : 0);

export const decodeResponsesUsage = (usage: ResponsesUsageWire | null | undefined): IrUsage => ({
  inputTokens: count(usage?.input_tokens),
  outputTokens: count(usage?.output_tokens),
  cacheReadTokens: count(usage?.input_tokens_details?.cached_tokens),
  cacheWriteTokens: count(usage?.input_tokens_details?.cache_write_tokens),
  reasoningTokens: count(usage?.output_tokens_details?.reasoning_tokens),
});

export const encodeResponsesUsage = (usage: IrUsage): ResponsesUsage => ({
  input_tokens: usage.inputTokens,
  input_tokens_details: { cached_tokens: usage.cacheReadTokens, cache_write_tokens: usage.cacheWriteTokens },
  output_tokens: usage.outputTokens,
  output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  total_tokens: usage.inputTokens + usage.outputTokens,
});
