import * as z from 'zod';

/**
 * Anthropic Messages ingress shapes (what clients send). Strict on the fields the relay reads,
 * loose on everything else: Claude Code sends many beta fields (context_management, diagnostics…)
 * that must not fail validation. Content blocks are validated per type in decode-content.ts, so an
 * unknown block type becomes a clear unsupported_feature instead of a union mismatch.
 * @see https://docs.anthropic.com/en/api/messages
 */

export const anthropicCacheControlSchema = z.looseObject({
  type: z.literal('ephemeral'),
  ttl: z.enum(['5m', '1h']).nullish(),
});

/** Any block: its `type` is read first, then the block is parsed with its own schema. */
export const anthropicAnyBlockSchema = z.looseObject({ type: z.string() });

export const anthropicTextBlockSchema = z.looseObject({
  type: z.literal('text'),
  text: z.string(),
  cache_control: anthropicCacheControlSchema.nullish(),
  citations: z.array(z.unknown()).nullish(),
});

export const anthropicImageBlockSchema = z.looseObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string() }),
    z.looseObject({ type: z.literal('url'), url: z.string().min(1) }),
    z.looseObject({ type: z.literal('file'), file_id: z.string() }),
  ]),
  cache_control: anthropicCacheControlSchema.nullish(),
});

export const anthropicDocumentBlockSchema = z.looseObject({
  type: z.literal('document'),
  source: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string() }),
    z.looseObject({ type: z.literal('url'), url: z.string().min(1) }),
    z.looseObject({ type: z.literal('text'), media_type: z.string().nullish(), data: z.string() }),
    z.looseObject({ type: z.literal('content'), content: z.unknown() }),
    z.looseObject({ type: z.literal('file'), file_id: z.string() }),
  ]),
  title: z.string().nullish(),
  context: z.string().nullish(),
  citations: z.looseObject({ enabled: z.boolean().nullish() }).nullish(),
  cache_control: anthropicCacheControlSchema.nullish(),
});

export const anthropicToolResultBlockSchema = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(anthropicAnyBlockSchema)]).nullish(),
  is_error: z.boolean().nullish(),
  cache_control: anthropicCacheControlSchema.nullish(),
});

export const anthropicThinkingBlockSchema = z.looseObject({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string().nullish(),
});

export const anthropicRedactedThinkingBlockSchema = z.looseObject({
  type: z.literal('redacted_thinking'),
  data: z.string(),
});

export const anthropicToolUseBlockSchema = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});

const messageContent = z.union([z.string(), z.array(anthropicAnyBlockSchema)]);

const message = z.looseObject({
  role: z.enum(['user', 'assistant', 'system']),
  content: messageContent,
});

/** A tool entry: `type` decides whether it is a custom tool or a versioned server/client tool. */
export const anthropicAnyToolSchema = z.looseObject({ type: z.string().nullish() });

export const anthropicCustomToolSchema = z.looseObject({
  type: z.literal('custom').nullish(),
  name: z.string().min(1),
  description: z.string().nullish(),
  input_schema: z.record(z.string(), z.unknown()),
  strict: z.boolean().nullish(),
  cache_control: anthropicCacheControlSchema.nullish(),
  // defer_loading / eager_input_streaming / input_examples are accepted and ignored (see notes).
});

const toolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().nullish() }),
  z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().nullish() }),
  z.looseObject({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().nullish() }),
  z.looseObject({ type: z.literal('none') }),
]);

const thinkingDisplay = z.enum(['summarized', 'omitted']).nullish();

const thinking = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('enabled'), budget_tokens: z.number().int().nonnegative(), display: thinkingDisplay }),
  z.looseObject({ type: z.literal('adaptive'), display: thinkingDisplay }),
  z.looseObject({ type: z.literal('between_tools') }),
  z.looseObject({ type: z.literal('disabled') }),
]);

export const ANTHROPIC_EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

const outputConfig = z.looseObject({
  effort: z.enum(ANTHROPIC_EFFORTS).nullish(),
  format: z
    .looseObject({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) })
    .nullish(),
});

const requestFields = {
  model: z.string().min(1),
  messages: z.array(message).min(1, 'at least one message is required'),
  system: z.union([z.string(), z.array(anthropicTextBlockSchema)]).nullish(),
  max_tokens: z.number().int().nonnegative().nullish(),
  stop_sequences: z.array(z.string()).nullish(),
  stream: z.boolean().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  top_k: z.number().int().nullish(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).nullish(),
  tool_choice: toolChoice.nullish(),
  tools: z.array(anthropicAnyToolSchema).nullish(),
  thinking: thinking.nullish(),
  output_config: outputConfig.nullish(),
  mcp_servers: z.array(z.unknown()).nullish(),
};

/** `/v1/messages/count_tokens`: the same body, without `max_tokens` being required. */
export const anthropicCountTokensRequestSchema = z.looseObject(requestFields);

/** `/v1/messages`: `max_tokens` is required (0 is valid: cache pre-warm). */
export const anthropicRequestSchema = z.looseObject({
  ...requestFields,
  max_tokens: z.number().int().nonnegative(),
});

export type AnthropicRequestBody = z.infer<typeof anthropicCountTokensRequestSchema>;
export type AnthropicMessageParam = z.infer<typeof message>;
export type AnthropicAnyBlock = z.infer<typeof anthropicAnyBlockSchema>;
export type AnthropicCacheControl = z.infer<typeof anthropicCacheControlSchema>;
export type AnthropicThinkingConfig = z.infer<typeof thinking>;
export type AnthropicOutputConfig = z.infer<typeof outputConfig>;
export type AnthropicToolChoice = z.infer<typeof toolChoice>;
export type AnthropicEffort = (typeof ANTHROPIC_EFFORTS)[number];

export const anthropicPeekSchema = z.looseObject({
  model: z.string().min(1),
  stream: z.boolean().nullish(),
});
