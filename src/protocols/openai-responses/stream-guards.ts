import {
  hasNullishNumbers,
  hasNullishStrings,
  isArrayOrNullish,
  isCodeOrNullish,
  isNullish,
  isRecord,
} from '../shared/json-guards';
import type { ResponsesErrorObjectWire, ResponsesOutputItemWire, ResponsesResponseWire, ResponsesStreamEventWire, ResponsesUsageWire } from './schema';

/**
 * Stream events checked by hand, accepting exactly what `responsesStreamEventSchema` (schema.ts)
 * does, so decode-stream.ts does no zod parse per event.
 */
const EVENT_NUMBERS = ['output_index', 'content_index', 'summary_index'] as const;
const EVENT_STRINGS = ['item_id', 'delta', 'text', 'refusal', 'arguments', 'message', 'param'] as const;
const ITEM_STRINGS = ['id', 'status', 'role', 'encrypted_content', 'call_id', 'name', 'namespace', 'arguments'] as const;
const PART_STRINGS = ['type', 'text', 'refusal'] as const;
const TEXT_ENTRY_STRINGS = ['type', 'text'] as const;

const isPart = (value: unknown): value is NonNullable<ResponsesStreamEventWire['part']> =>
  isRecord(value) && hasNullishStrings(value, PART_STRINGS);

const isTextEntry = (value: unknown): value is NonNullable<ResponsesOutputItemWire['summary']>[number] =>
  isRecord(value) && hasNullishStrings(value, TEXT_ENTRY_STRINGS);

const isOutputItem = (value: unknown): value is ResponsesOutputItemWire =>
  isRecord(value) &&
  typeof value.type === 'string' &&
  hasNullishStrings(value, ITEM_STRINGS) &&
  isArrayOrNullish(value.content, isPart) &&
  isArrayOrNullish(value.summary, isTextEntry);

const isErrorObject = (value: unknown): value is ResponsesErrorObjectWire =>
  isRecord(value) && hasNullishStrings(value, ['type', 'message', 'param']) && isCodeOrNullish(value.code);

const isUsage = (value: unknown): value is ResponsesUsageWire => {
  if (!isRecord(value) || !hasNullishNumbers(value, ['input_tokens', 'output_tokens', 'total_tokens'])) return false;
  const input = value.input_tokens_details;
  const output = value.output_tokens_details;
  return (
    (isNullish(input) || (isRecord(input) && hasNullishNumbers(input, ['cached_tokens', 'cache_write_tokens']))) &&
    (isNullish(output) || (isRecord(output) && hasNullishNumbers(output, ['reasoning_tokens'])))
  );
};

const isResponseObject = (value: unknown): value is ResponsesResponseWire => {
  if (!isRecord(value) || !hasNullishStrings(value, ['id', 'model', 'status'])) return false;
  const incomplete = value.incomplete_details;
  return (
    isArrayOrNullish(value.output, isOutputItem) &&
    (isNullish(value.usage) || isUsage(value.usage)) &&
    (isNullish(incomplete) || (isRecord(incomplete) && hasNullishStrings(incomplete, ['reason']))) &&
    (isNullish(value.error) || isErrorObject(value.error))
  );
};

export const isResponsesStreamEvent = (value: unknown): value is ResponsesStreamEventWire =>
  isRecord(value) &&
  typeof value.type === 'string' &&
  hasNullishNumbers(value, EVENT_NUMBERS) &&
  hasNullishStrings(value, EVENT_STRINGS) &&
  isCodeOrNullish(value.code) &&
  (isNullish(value.item) || isOutputItem(value.item)) &&
  (isNullish(value.part) || isPart(value.part)) &&
  (isNullish(value.response) || isResponseObject(value.response)) &&
  (isNullish(value.error) || isErrorObject(value.error));
