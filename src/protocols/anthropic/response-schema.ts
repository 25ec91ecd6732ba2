import * as z from 'zod/mini';

/**
 * Anthropic Messages egress shapes (what an upstream answers): minimal and nullish, because
 * compatible endpoints omit fields (see the recorded message-delta-input-tokens stream).
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */

const anthropicUsageSchema = z.looseObject({
  input_tokens: z.nullish(z.number()),
  output_tokens: z.nullish(z.number()),
  cache_creation_input_tokens: z.nullish(z.number()),
  cache_read_input_tokens: z.nullish(z.number()),
  output_tokens_details: z.nullish(z.looseObject({ thinking_tokens: z.nullish(z.number()) })),
});
export type AnthropicWireUsage = z.infer<typeof anthropicUsageSchema>;

const anyBlock = z.looseObject({ type: z.string() });

export const anthropicResponseTextSchema = z.looseObject({ type: z.literal('text'), text: z.string() });
export const anthropicResponseThinkingSchema = z.looseObject({
  type: z.literal('thinking'),
  thinking: z.nullish(z.string()),
  signature: z.nullish(z.string()),
});
export const anthropicResponseRedactedSchema = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() });
export const anthropicResponseToolUseSchema = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.optional(z.unknown()),
});

export const anthropicMessageSchema = z.looseObject({
  id: z.string(),
  model: z.nullish(z.string()),
  content: z.array(anyBlock),
  stop_reason: z.nullish(z.string()),
  stop_sequence: z.nullish(z.string()),
  usage: z.nullish(anthropicUsageSchema),
});

export const anthropicErrorBodySchema = z.looseObject({
  type: z.nullish(z.string()),
  error: z.looseObject({ type: z.nullish(z.string()), message: z.nullish(z.string()) }),
});

export const anthropicTokenCountSchema = z.looseObject({ input_tokens: z.number().check(z.int(), z.nonnegative()) });
