import { emptyUsage, type IrUsage } from '../ir/usage';

const numberAt = (from: unknown, field: string): number => {
  if (typeof from !== 'object' || from === null) return 0;
  const value = (from as Record<string, unknown>)[field];
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
};

const objectAt = (from: unknown, field: string): unknown => (typeof from === 'object' && from !== null ? (from as Record<string, unknown>)[field] : undefined);

/**
 * The upstream's own token counts read by field name alone, for an answer the format's full decode
 * could not read (only the accounting needs them; the client got the body as sent). Knows the three
 * usage shapes: `usage.prompt_tokens/completion_tokens` (OpenAI Chat), `usage.input_tokens/output_tokens`
 * (Anthropic, OpenAI Responses; Anthropic's cache counts are added to the input, which the IR's input
 * includes) and `usageMetadata.promptTokenCount/candidatesTokenCount` (Gemini, thoughts added to the
 * output). Undefined when none of them holds a count.
 */
export const lenientUsage = (value: unknown): IrUsage | undefined => {
  const usage = emptyUsage();
  const openai = objectAt(value, 'usage');
  const gemini = objectAt(value, 'usageMetadata');
  if (numberAt(openai, 'prompt_tokens') > 0 || numberAt(openai, 'completion_tokens') > 0) {
    usage.inputTokens = numberAt(openai, 'prompt_tokens');
    usage.outputTokens = numberAt(openai, 'completion_tokens');
    usage.cacheReadTokens = numberAt(objectAt(openai, 'prompt_tokens_details'), 'cached_tokens');
    usage.reasoningTokens = numberAt(objectAt(openai, 'completion_tokens_details'), 'reasoning_tokens');
  } else if (numberAt(openai, 'input_tokens') > 0 || numberAt(openai, 'output_tokens') > 0) {
    usage.cacheReadTokens = numberAt(openai, 'cache_read_input_tokens');
    usage.cacheWriteTokens = numberAt(openai, 'cache_creation_input_tokens');
    usage.inputTokens = numberAt(openai, 'input_tokens') + usage.cacheReadTokens + usage.cacheWriteTokens;
    usage.outputTokens = numberAt(openai, 'output_tokens');
    usage.reasoningTokens = numberAt(objectAt(openai, 'output_tokens_details'), 'reasoning_tokens');
  } else if (numberAt(gemini, 'promptTokenCount') > 0 || numberAt(gemini, 'candidatesTokenCount') > 0) {
    usage.inputTokens = numberAt(gemini, 'promptTokenCount');
    usage.reasoningTokens = numberAt(gemini, 'thoughtsTokenCount');
    usage.outputTokens = numberAt(gemini, 'candidatesTokenCount') + usage.reasoningTokens;
    usage.cacheReadTokens = numberAt(gemini, 'cachedContentTokenCount');
  } else {
    return undefined;
  }
  return usage;
};
