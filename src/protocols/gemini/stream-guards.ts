import {
  hasNullishNumbers,
  hasNullishStrings,
  isArrayOrNullish,
  isBooleanOrNullish,
  isNullish,
  isNumberOrNullish,
  isRecord,
} from '../shared/json-guards';
import type { GeminiErrorObject, GeminiPartialArg, GeminiResponse, GeminiResponsePart } from './schema';

/**
 * Stream chunks checked by hand, accepting exactly what `geminiResponse` (schema.ts) does, so
 * decode-stream.ts does no zod parse per chunk.
 */
const USAGE_COUNTS = [
  'promptTokenCount',
  'cachedContentTokenCount',
  'candidatesTokenCount',
  'thoughtsTokenCount',
  'toolUsePromptTokenCount',
  'totalTokenCount',
] as const;
const PART_STRINGS = ['text', 'thoughtSignature'] as const;
const CALL_STRINGS = ['name', 'id'] as const;
const PARTIAL_ARG_STRINGS = ['jsonPath', 'stringValue', 'nullValue'] as const;

const isPartialArg = (value: unknown): value is GeminiPartialArg =>
  isRecord(value) &&
  hasNullishStrings(value, PARTIAL_ARG_STRINGS) &&
  isNumberOrNullish(value.numberValue) &&
  isBooleanOrNullish(value.boolValue) &&
  isBooleanOrNullish(value.willContinue);

const isFunctionCall = (value: unknown): boolean =>
  isRecord(value) &&
  hasNullishStrings(value, CALL_STRINGS) &&
  (isNullish(value.args) || isRecord(value.args)) &&
  isArrayOrNullish(value.partialArgs, isPartialArg) &&
  isBooleanOrNullish(value.willContinue);

const isPart = (value: unknown): value is GeminiResponsePart =>
  isRecord(value) &&
  hasNullishStrings(value, PART_STRINGS) &&
  isBooleanOrNullish(value.thought) &&
  (isNullish(value.functionCall) || isFunctionCall(value.functionCall));

const isCandidate = (value: unknown): value is NonNullable<GeminiResponse['candidates']>[number] => {
  if (!isRecord(value) || !hasNullishStrings(value, ['finishReason'])) return false;
  const { content } = value;
  return isNullish(content) || (isRecord(content) && isArrayOrNullish(content.parts, isPart));
};

const isErrorDetail = (value: unknown): boolean => isRecord(value) && hasNullishStrings(value, ['@type']);

const isErrorObject = (value: unknown): value is GeminiErrorObject =>
  isRecord(value) &&
  isNumberOrNullish(value.code) &&
  hasNullishStrings(value, ['message', 'status']) &&
  isArrayOrNullish(value.details, isErrorDetail);

export const isGeminiStreamChunk = (value: unknown): value is GeminiResponse => {
  if (!isRecord(value) || !hasNullishStrings(value, ['modelVersion', 'responseId'])) return false;
  const { promptFeedback, usageMetadata } = value;
  return (
    isArrayOrNullish(value.candidates, isCandidate) &&
    (isNullish(promptFeedback) || (isRecord(promptFeedback) && hasNullishStrings(promptFeedback, ['blockReason']))) &&
    (isNullish(usageMetadata) || (isRecord(usageMetadata) && hasNullishNumbers(usageMetadata, USAGE_COUNTS))) &&
    (isNullish(value.error) || isErrorObject(value.error))
  );
};
