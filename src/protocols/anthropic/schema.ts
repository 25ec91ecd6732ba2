import * as z from 'zod/mini';
import { lenientEnum } from '../shared/lenient-enum';

/**
 * Anthropic Messages ingress shapes (what clients send). Strict on the fields the relay reads,
 * loose on everything else: Claude Code sends many beta fields (context_management, diagnostics…)
 * that must not fail validation. Content blocks are validated per type in decode-content.ts, so an
 * unknown block type becomes a clear unsupported_feature instead of a union mismatch.
 * @see https://docs.anthropic.com/en/api/messages
 */

const anthropicCacheControlSchema = z.looseObject({
  type: z.literal('ephemeral'),
  ttl: lenientEnum(['5m', '1h']),
});

/** Any block: its `type` is read first, then the block is parsed with its own schema. */
const anthropicAnyBlockSchema = z.looseObject({ type: z.string() });

const nonEmpty = () => z.string().check(z.minLength(1));

export const anthropicTextBlockSchema = z.looseObject({
  type: z.literal('text'),
  text: z.string(),
  cache_control: z.nullish(anthropicCacheControlSchema),
  citations: z.nullish(z.array(z.unknown())),
});

export const anthropicImageBlockSchema = z.looseObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('base64'), media_type: nonEmpty(), data: z.string() }),
    z.looseObject({ type: z.literal('url'), url: nonEmpty() }),
    z.looseObject({ type: z.literal('file'), file_id: z.string() }),
  ]),
  cache_control: z.nullish(anthropicCacheControlSchema),
});

export const anthropicDocumentBlockSchema = z.looseObject({
  type: z.literal('document'),
  source: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('base64'), media_type: nonEmpty(), data: z.string() }),
    z.looseObject({ type: z.literal('url'), url: nonEmpty() }),
    z.looseObject({ type: z.literal('text'), media_type: z.nullish(z.string()), data: z.string() }),
    z.looseObject({ type: z.literal('content'), content: z.unknown() }),
    z.looseObject({ type: z.literal('file'), file_id: z.string() }),
  ]),
  title: z.nullish(z.string()),
  context: z.nullish(z.string()),
  citations: z.nullish(z.looseObject({ enabled: z.nullish(z.boolean()) })),
  cache_control: z.nullish(anthropicCacheControlSchema),
});

export const anthropicToolResultBlockSchema = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.nullish(z.union([z.string(), z.array(anthropicAnyBlockSchema)])),
  is_error: z.nullish(z.boolean()),
  cache_control: z.nullish(anthropicCacheControlSchema),
});

export const anthropicThinkingBlockSchema = z.looseObject({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.nullish(z.string()),
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
const anthropicAnyToolSchema = z.looseObject({ type: z.nullish(z.string()) });

export const anthropicCustomToolSchema = z.looseObject({
  type: z.nullish(z.literal('custom')),
  name: nonEmpty(),
  description: z.nullish(z.string()),
  input_schema: z.record(z.string(), z.unknown()),
  strict: z.nullish(z.boolean()),
  cache_control: z.nullish(anthropicCacheControlSchema),
  // defer_loading / eager_input_streaming / input_examples are accepted and ignored (see notes).
});

const disableParallel = z.nullish(z.boolean());

const toolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: disableParallel }),
  z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: disableParallel }),
  z.looseObject({ type: z.literal('tool'), name: nonEmpty(), disable_parallel_tool_use: disableParallel }),
  z.looseObject({ type: z.literal('none') }),
]);

/** Claude Code's SDK mode sends `display:"updates"`: unknown displays read as the default (shown). */
const thinkingDisplay = lenientEnum(['summarized', 'omitted']);

const tokenCount = () => z.number().check(z.int(), z.nonnegative());

const thinking = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('enabled'), budget_tokens: tokenCount(), display: thinkingDisplay }),
  z.looseObject({ type: z.literal('adaptive'), display: thinkingDisplay }),
  z.looseObject({ type: z.literal('between_tools') }),
  z.looseObject({ type: z.literal('disabled') }),
]);

const ANTHROPIC_EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

const outputConfig = z.looseObject({
  effort: lenientEnum(ANTHROPIC_EFFORTS, { minimal: 'low' }),
  format: z.nullish(z.looseObject({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) })),
});

const requestFields = {
  model: nonEmpty(),
  messages: z.array(message).check(z.minLength(1, 'at least one message is required')),
  system: z.nullish(z.union([z.string(), z.array(anthropicTextBlockSchema)])),
  max_tokens: z.nullish(tokenCount()),
  stop_sequences: z.nullish(z.array(z.string())),
  stream: z.nullish(z.boolean()),
  temperature: z.nullish(z.number()),
  top_p: z.nullish(z.number()),
  top_k: z.nullish(z.number().check(z.int())),
  metadata: z.nullish(z.looseObject({ user_id: z.nullish(z.string()) })),
  tool_choice: z.nullish(toolChoice),
  tools: z.nullish(z.array(anthropicAnyToolSchema)),
  thinking: z.nullish(thinking),
  output_config: z.nullish(outputConfig),
  mcp_servers: z.nullish(z.array(z.unknown())),
};

/** `/v1/messages/count_tokens`: the same body, without `max_tokens` being required. */
export const anthropicCountTokensRequestSchema = z.looseObject(requestFields);

/** `/v1/messages`: `max_tokens` is required (0 is valid: cache pre-warm). */
export const anthropicRequestSchema = z.looseObject({
  ...requestFields,
  max_tokens: tokenCount(),
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
  model: nonEmpty(),
  stream: z.nullish(z.boolean()),
});
