import {
  hasNullishNumbers,
  hasNullishStrings,
  isArrayOrNullish,
  isCodeOrNullish,
  isNullish,
  isNumberOrNullish,
  isRecord,
} from '../shared/json-guards';
import type { OpenAIChatChunk, OpenAIChatErrorObject, OpenAIChatToolCallDelta, OpenAIChatUsage } from './schema';

/**
 * Stream chunks checked by hand, accepting exactly what `openAIChatChunkSchema` (schema.ts) does,
 * so decode-stream.ts does no zod parse per chunk. `reasoning_content`/`reasoning` are unchecked
 * there too: their shape differs between servers and the decoder reads them only as strings.
 */
const isFunctionOrNullish = (value: unknown): boolean =>
  isNullish(value) || (isRecord(value) && hasNullishStrings(value, ['name', 'arguments']));

const isToolCallDelta = (value: unknown): value is OpenAIChatToolCallDelta =>
  isRecord(value) &&
  isNumberOrNullish(value.index) &&
  hasNullishStrings(value, ['id', 'type']) &&
  isFunctionOrNullish(value.function);

const isDeltaOrNullish = (value: unknown): boolean =>
  isNullish(value) ||
  (isRecord(value) && hasNullishStrings(value, ['content', 'refusal']) && isArrayOrNullish(value.tool_calls, isToolCallDelta));

const isChoice = (value: unknown): value is NonNullable<OpenAIChatChunk['choices']>[number] =>
  isRecord(value) &&
  isNumberOrNullish(value.index) &&
  isDeltaOrNullish(value.delta) &&
  hasNullishStrings(value, ['finish_reason']);

const isUsageOrNullish = (value: unknown): value is OpenAIChatUsage | null | undefined => {
  if (isNullish(value)) return true;
  if (!isRecord(value) || !hasNullishNumbers(value, ['prompt_tokens', 'completion_tokens', 'total_tokens'])) return false;
  const prompt = value.prompt_tokens_details;
  const completion = value.completion_tokens_details;
  return (
    (isNullish(prompt) || (isRecord(prompt) && hasNullishNumbers(prompt, ['cached_tokens', 'cache_write_tokens']))) &&
    (isNullish(completion) || (isRecord(completion) && hasNullishNumbers(completion, ['reasoning_tokens'])))
  );
};

/** `openAIChatErrorObjectSchema`. */
export const isOpenAIChatErrorObject = (value: unknown): value is OpenAIChatErrorObject =>
  isRecord(value) && hasNullishStrings(value, ['message', 'type', 'param']) && isCodeOrNullish(value.code);

export const isOpenAIChatChunk = (value: unknown): value is OpenAIChatChunk =>
  isRecord(value) &&
  hasNullishStrings(value, ['id', 'model']) &&
  isArrayOrNullish(value.choices, isChoice) &&
  isUsageOrNullish(value.usage) &&
  (isNullish(value.error) || typeof value.error === 'string' || isOpenAIChatErrorObject(value.error));
