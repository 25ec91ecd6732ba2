import { hasNullishNumbers, hasNullishStrings, isIndex, isNullish, isRecord } from '../shared/json-guards';
import type { AnthropicWireUsage } from './response-schema';

/**
 * The stream events decode-stream.ts reads, checked by hand: the same acceptance as the
 * `anthropic*Schema`s of response-schema.ts, without a zod parse per event.
 */
export interface AnthropicMessageStart {
  type: 'message_start';
  message: { id: string; model?: string | null; usage?: AnthropicWireUsage | null };
}

export interface AnthropicBlockStart {
  type: 'content_block_start';
  index: number;
  content_block: {
    type: string;
    text?: string | null;
    thinking?: string | null;
    signature?: string | null;
    data?: string | null;
    id?: string | null;
    name?: string | null;
    input?: unknown;
  };
}

export interface AnthropicBlockDelta {
  type: 'content_block_delta';
  index: number;
  delta: { type: string; text?: string | null; thinking?: string | null; signature?: string | null; partial_json?: string | null };
}

export interface AnthropicBlockStop {
  type: 'content_block_stop';
  index: number;
}

export interface AnthropicMessageDelta {
  type: 'message_delta';
  delta?: { stop_reason?: string | null; stop_sequence?: string | null } | null;
  usage?: AnthropicWireUsage | null;
}

const USAGE_COUNTS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const;
const BLOCK_START_STRINGS = ['text', 'thinking', 'signature', 'data', 'id', 'name'] as const;
const BLOCK_DELTA_STRINGS = ['text', 'thinking', 'signature', 'partial_json'] as const;
const MESSAGE_DELTA_STRINGS = ['stop_reason', 'stop_sequence'] as const;

const isUsageOrNullish = (value: unknown): value is AnthropicWireUsage | null | undefined => {
  if (isNullish(value)) return true;
  if (!isRecord(value) || !hasNullishNumbers(value, USAGE_COUNTS)) return false;
  const details = value.output_tokens_details;
  return isNullish(details) || (isRecord(details) && hasNullishNumbers(details, ['thinking_tokens']));
};

export const isAnthropicMessageStart = (value: unknown): value is AnthropicMessageStart => {
  if (!isRecord(value) || value.type !== 'message_start' || !isRecord(value.message)) return false;
  const { message } = value;
  return typeof message.id === 'string' && hasNullishStrings(message, ['model']) && isUsageOrNullish(message.usage);
};

export const isAnthropicBlockStart = (value: unknown): value is AnthropicBlockStart => {
  if (!isRecord(value) || value.type !== 'content_block_start' || !isIndex(value.index)) return false;
  const block = value.content_block;
  return isRecord(block) && typeof block.type === 'string' && hasNullishStrings(block, BLOCK_START_STRINGS);
};

export const isAnthropicBlockDelta = (value: unknown): value is AnthropicBlockDelta => {
  if (!isRecord(value) || value.type !== 'content_block_delta' || !isIndex(value.index)) return false;
  const { delta } = value;
  return isRecord(delta) && typeof delta.type === 'string' && hasNullishStrings(delta, BLOCK_DELTA_STRINGS);
};

export const isAnthropicBlockStop = (value: unknown): value is AnthropicBlockStop =>
  isRecord(value) && value.type === 'content_block_stop' && isIndex(value.index);

export const isAnthropicMessageDelta = (value: unknown): value is AnthropicMessageDelta => {
  if (!isRecord(value) || value.type !== 'message_delta' || !isUsageOrNullish(value.usage)) return false;
  const { delta } = value;
  return isNullish(delta) || (isRecord(delta) && hasNullishStrings(delta, MESSAGE_DELTA_STRINGS));
};
