import type { IrUsage } from '../../ir/usage';
import type { AnthropicWireUsage } from './response-schema';

/**
 * Anthropic usage ↔ IR. Anthropic's `input_tokens` EXCLUDES cache reads and
 * writes; the IR total includes them. `output_tokens` already includes thinking tokens.
 * @see https://docs.anthropic.com/en/api/messages#response-usage
 */
export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
  output_tokens_details?: { thinking_tokens: number };
}

const count = (value: number | null | undefined): number => (typeof value === 'number' && value > 0 ? value : 0);

/** Upstream usage → IR totals. */
export const decodeAnthropicUsage = (usage: AnthropicWireUsage | null | undefined): IrUsage => {
  const cacheRead = count(usage?.cache_read_input_tokens);
  const cacheWrite = count(usage?.cache_creation_input_tokens);
  return {
    inputTokens: count(usage?.input_tokens) + cacheRead + cacheWrite,
    outputTokens: count(usage?.output_tokens),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: count(usage?.output_tokens_details?.thinking_tokens),
  };
};

/**
 * The fields a (streamed) usage object actually carries, as IR fields. Stream usage overwrites
 * field by field (the SDK keeps a field when `message_delta` sends null), so absent stays absent.
 */
export const decodeAnthropicUsagePatch = (usage: AnthropicWireUsage | null | undefined): Partial<AnthropicWireUsage> => {
  const patch: Partial<AnthropicWireUsage> = {};
  if (usage === null || usage === undefined) return patch;
  if (typeof usage.input_tokens === 'number') patch.input_tokens = usage.input_tokens;
  if (typeof usage.output_tokens === 'number') patch.output_tokens = usage.output_tokens;
  if (typeof usage.cache_creation_input_tokens === 'number') patch.cache_creation_input_tokens = usage.cache_creation_input_tokens;
  if (typeof usage.cache_read_input_tokens === 'number') patch.cache_read_input_tokens = usage.cache_read_input_tokens;
  if (typeof usage.output_tokens_details?.thinking_tokens === 'number') {
    patch.output_tokens_details = { thinking_tokens: usage.output_tokens_details.thinking_tokens };
  }
  return patch;
};

/** IR → Anthropic usage: `input_tokens = in − cache_read − cache_write`, never negative. */
export const encodeAnthropicUsage = (usage: Partial<IrUsage>): AnthropicUsage => {
  const cacheRead = count(usage.cacheReadTokens);
  const cacheWrite = count(usage.cacheWriteTokens);
  const out: AnthropicUsage = {
    input_tokens: Math.max(0, count(usage.inputTokens) - cacheRead - cacheWrite),
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
    output_tokens: count(usage.outputTokens),
  };
  const reasoning = count(usage.reasoningTokens);
  if (reasoning > 0) out.output_tokens_details = { thinking_tokens: reasoning };
  return out;
};
