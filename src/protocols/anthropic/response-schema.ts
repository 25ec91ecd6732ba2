import * as z from 'zod';

/**
 * Anthropic Messages egress shapes (what an upstream answers): minimal and nullish, because
 * compatible endpoints omit fields (see the recorded message-delta-input-tokens stream).
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */

export const anthropicUsageSchema = z.looseObject({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  output_tokens_details: z.looseObject({ thinking_tokens: z.number().nullish() }).nullish(),
});
export type AnthropicWireUsage = z.infer<typeof anthropicUsageSchema>;

const anyBlock = z.looseObject({ type: z.string() });

export const anthropicResponseTextSchema = z.looseObject({ type: z.literal('text'), text: z.string() });
export const anthropicResponseThinkingSchema = z.looseObject({
  type: z.literal('thinking'),
  thinking: z.string().nullish(),
  signature: z.string().nullish(),
});
export const anthropicResponseRedactedSchema = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() });
export const anthropicResponseToolUseSchema = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.unknown().optional(),
});

export const anthropicMessageSchema = z.looseObject({
  id: z.string(),
  model: z.string().nullish(),
  content: z.array(anyBlock),
  stop_reason: z.string().nullish(),
  stop_sequence: z.string().nullish(),
  usage: anthropicUsageSchema.nullish(),
});

export const anthropicMessageStartSchema = z.looseObject({
  type: z.literal('message_start'),
  message: z.looseObject({
    id: z.string(),
    model: z.string().nullish(),
    usage: anthropicUsageSchema.nullish(),
  }),
});

export const anthropicBlockStartSchema = z.looseObject({
  type: z.literal('content_block_start'),
  index: z.number().int().nonnegative(),
  content_block: z.looseObject({
    type: z.string(),
    text: z.string().nullish(),
    thinking: z.string().nullish(),
    signature: z.string().nullish(),
    data: z.string().nullish(),
    id: z.string().nullish(),
    name: z.string().nullish(),
    input: z.unknown().optional(),
  }),
});

export const anthropicBlockDeltaSchema = z.looseObject({
  type: z.literal('content_block_delta'),
  index: z.number().int().nonnegative(),
  delta: z.looseObject({
    type: z.string(),
    text: z.string().nullish(),
    thinking: z.string().nullish(),
    signature: z.string().nullish(),
    partial_json: z.string().nullish(),
  }),
});

export const anthropicBlockStopSchema = z.looseObject({
  type: z.literal('content_block_stop'),
  index: z.number().int().nonnegative(),
});

export const anthropicMessageDeltaSchema = z.looseObject({
  type: z.literal('message_delta'),
  delta: z.looseObject({ stop_reason: z.string().nullish(), stop_sequence: z.string().nullish() }).nullish(),
  usage: anthropicUsageSchema.nullish(),
});

export const anthropicErrorBodySchema = z.looseObject({
  type: z.string().nullish(),
  error: z.looseObject({ type: z.string().nullish(), message: z.string().nullish() }),
});

export const anthropicTokenCountSchema = z.looseObject({ input_tokens: z.number().int().nonnegative() });
