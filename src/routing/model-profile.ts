import type { ModelProfile, OutputTokenField } from './provider';

/**
 * OpenAI's reasoning models (o1, o3, o4-mini, …) and the gpt-5 family answer 400 to `max_tokens` and
 * take `max_completion_tokens`; every other Chat Completions upstream (vLLM, DeepSeek, OpenRouter, …)
 * takes `max_tokens`. An operator's explicit `outputTokenField` on the model route wins.
 */
const COMPLETION_TOKENS_MODELS = /^(?:[\w.-]+\/)?(?:o\d|gpt-5)(?:$|[-.:])/;

export const defaultOutputTokenField = (upstreamModel: string): OutputTokenField =>
  COMPLETION_TOKENS_MODELS.test(upstreamModel) ? 'max_completion_tokens' : 'max_tokens';

export const modelProfileOf = (
  upstreamModel: string,
  row: { contextWindow: number | null; maxOutputTokens: number | null; outputTokenField: OutputTokenField | null },
): ModelProfile => ({
  contextWindow: row.contextWindow,
  maxOutputTokens: row.maxOutputTokens,
  outputTokenField: row.outputTokenField ?? defaultOutputTokenField(upstreamModel),
});
