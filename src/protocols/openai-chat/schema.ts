import * as z from 'zod/mini';
import { knownTypeOrAbsent, lenientEnum } from '../shared/lenient-enum';

/**
 * OpenAI Chat Completions wire shapes.
 * Ingress (what clients send): strict on the fields we read, loose on everything else.
 * Egress (what upstreams answer): minimal and nullish, because OpenAI-compatible servers vary.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */

const nonEmpty = () => z.string().check(z.minLength(1));
const int = () => z.number().check(z.int());
const tokenLimit = () => z.number().check(z.int(), z.nonnegative());

const cacheBreakpoint = z.looseObject({ mode: z.string(), ttl: z.nullish(z.string()) });
/** Anthropic-style breakpoint (OpenRouter, Anthropic-compatible clients): carried to Anthropic upstreams. */
const cacheControl = z.looseObject({ type: z.string(), ttl: lenientEnum(['5m', '1h']) });

const textPart = z.looseObject({
  type: z.literal('text'),
  text: z.string(),
  prompt_cache_breakpoint: z.nullish(cacheBreakpoint),
  cache_control: z.nullish(cacheControl),
});

const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({
    url: nonEmpty(),
    detail: lenientEnum(['auto', 'low', 'high', 'original']),
  }),
  prompt_cache_breakpoint: z.nullish(cacheBreakpoint),
  cache_control: z.nullish(cacheControl),
});

const audioPart = z.looseObject({
  type: z.literal('input_audio'),
  input_audio: z.looseObject({ data: z.string(), format: z.string() }),
});

const filePart = z.looseObject({
  type: z.literal('file'),
  file: z.looseObject({
    file_data: z.nullish(z.string()),
    file_id: z.nullish(z.string()),
    filename: z.nullish(z.string()),
  }),
  prompt_cache_breakpoint: z.nullish(cacheBreakpoint),
  cache_control: z.nullish(cacheControl),
});

const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

const userPart = z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart]);
const systemContent = z.union([z.string(), z.array(textPart)]);

/** Arguments are a JSON string on the wire; some clients send the object itself. */
const toolArguments = z.union([z.string(), z.record(z.string(), z.unknown())]);

const functionToolCall = z.looseObject({
  id: nonEmpty(),
  type: z.optional(z.literal('function')),
  function: z.looseObject({ name: nonEmpty(), arguments: z.nullish(toolArguments) }),
});

const customToolCall = z.looseObject({
  id: z.string(),
  type: z.literal('custom'),
  custom: z.looseObject({ name: z.string(), input: z.string() }),
});

const systemMessage = z.looseObject({ role: z.literal('system'), content: systemContent });
const developerMessage = z.looseObject({ role: z.literal('developer'), content: systemContent });

const userMessage = z.looseObject({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(userPart)]),
});

const assistantMessage = z.looseObject({
  role: z.literal('assistant'),
  content: z.nullish(z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, refusalPart]))])),
  refusal: z.nullish(z.string()),
  tool_calls: z.nullish(z.array(z.union([functionToolCall, customToolCall]))),
  function_call: z.nullish(z.looseObject({ name: nonEmpty(), arguments: z.nullish(toolArguments) })),
  audio: z.nullish(z.looseObject({ id: z.string() })),
  /** De-facto extension (DeepSeek, vLLM, Vercel openai-compatible): reasoning text of this turn. */
  reasoning_content: z.nullish(z.string()),
});

const toolMessage = z.looseObject({
  role: z.literal('tool'),
  tool_call_id: nonEmpty(),
  // OpenAI allows only text parts here; image parts are accepted because the IR can carry them.
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, imagePart]))]),
});

const functionMessage = z.looseObject({
  role: z.literal('function'),
  name: nonEmpty(),
  content: z.nullish(z.string()),
});

const openAIChatMessageSchema = z.discriminatedUnion('role', [
  systemMessage,
  developerMessage,
  userMessage,
  assistantMessage,
  toolMessage,
  functionMessage,
]);

const functionDefinition = z.looseObject({
  name: nonEmpty(),
  description: z.nullish(z.string()),
  parameters: z.nullish(z.record(z.string(), z.unknown())),
  strict: z.nullish(z.boolean()),
});

const functionTool = z.looseObject({ type: z.literal('function'), function: functionDefinition, cache_control: z.nullish(cacheControl) });
const customTool = z.looseObject({ type: z.literal('custom'), custom: z.looseObject({ name: z.string() }) });

const namedToolChoice = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({ name: nonEmpty() }),
});
const customToolChoice = z.looseObject({ type: z.literal('custom'), custom: z.looseObject({ name: z.string() }) });
const allowedToolsChoice = z.looseObject({
  type: z.literal('allowed_tools'),
  allowed_tools: z.looseObject({
    mode: z.enum(['auto', 'required']),
    tools: z.array(z.record(z.string(), z.unknown())),
  }),
});

const responseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({
      name: z.nullish(z.string()),
      description: z.nullish(z.string()),
      schema: z.nullish(z.record(z.string(), z.unknown())),
      strict: z.nullish(z.boolean()),
    }),
  }),
]);

export const openAIChatRequestSchema = z.looseObject({
  model: nonEmpty(),
  messages: z.array(openAIChatMessageSchema).check(z.minLength(1)),
  tools: z.nullish(z.array(z.discriminatedUnion('type', [functionTool, customTool]))),
  tool_choice: z.nullish(
    z.union([z.enum(['none', 'auto', 'required']), namedToolChoice, customToolChoice, allowedToolsChoice]),
  ),
  functions: z.nullish(z.array(functionDefinition)),
  function_call: z.nullish(z.union([z.enum(['none', 'auto']), z.looseObject({ name: nonEmpty() })])),
  parallel_tool_calls: z.nullish(z.boolean()),
  max_completion_tokens: z.nullish(tokenLimit()),
  max_tokens: z.nullish(tokenLimit()),
  temperature: z.nullish(z.number()),
  top_p: z.nullish(z.number()),
  stop: z.nullish(z.union([z.string(), z.array(z.string())])),
  seed: z.nullish(int()),
  presence_penalty: z.nullish(z.number()),
  frequency_penalty: z.nullish(z.number()),
  n: z.nullish(int().check(z.positive())),
  logprobs: z.nullish(z.boolean()),
  top_logprobs: z.nullish(int()),
  logit_bias: z.nullish(z.record(z.string(), z.number())),
  response_format: knownTypeOrAbsent(['text', 'json_object', 'json_schema'], responseFormat),
  reasoning_effort: lenientEnum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']),
  stream: z.nullish(z.boolean()),
  stream_options: z.nullish(z.looseObject({ include_usage: z.nullish(z.boolean()) })),
  safety_identifier: z.nullish(z.string()),
  user: z.nullish(z.string()),
  metadata: z.nullish(z.record(z.string(), z.string())),
  audio: z.optional(z.unknown()),
  modalities: z.nullish(z.array(z.string())),
  prediction: z.optional(z.unknown()),
  web_search_options: z.optional(z.unknown()),
});

export type OpenAIChatRequest = z.infer<typeof openAIChatRequestSchema>;
export type OpenAIChatMessage = z.infer<typeof openAIChatMessageSchema>;
export type OpenAIChatUserPart = z.infer<typeof userPart>;
export type OpenAIChatTextPart = z.infer<typeof textPart>;

export const openAIChatPeekSchema = z.looseObject({ model: nonEmpty(), stream: z.nullish(z.boolean()) });

// ── egress: upstream answers ──────────────────────────────────────────────

const openAIChatUsageSchema = z.looseObject({
  prompt_tokens: z.nullish(z.number()),
  completion_tokens: z.nullish(z.number()),
  total_tokens: z.nullish(z.number()),
  prompt_tokens_details: z.nullish(
    z.looseObject({ cached_tokens: z.nullish(z.number()), cache_write_tokens: z.nullish(z.number()) }),
  ),
  completion_tokens_details: z.nullish(z.looseObject({ reasoning_tokens: z.nullish(z.number()) })),
});
export type OpenAIChatUsage = z.infer<typeof openAIChatUsageSchema>;

export const openAIChatErrorObjectSchema = z.looseObject({
  message: z.nullish(z.string()),
  type: z.nullish(z.string()),
  param: z.nullish(z.string()),
  code: z.nullish(z.union([z.string(), z.number()])),
});
export type OpenAIChatErrorObject = z.infer<typeof openAIChatErrorObjectSchema>;

/** Assistant content: a string, or (Mistral and some compatible servers) an array of typed parts. */
const responseContent = z.union([
  z.string(),
  z.array(z.looseObject({ type: z.nullish(z.string()), text: z.nullish(z.string()) })),
]);

const responseFunctionCall = () => z.looseObject({ name: z.nullish(z.string()), arguments: z.nullish(z.string()) });

const responseToolCall = z.looseObject({
  id: z.nullish(z.string()),
  type: z.nullish(z.string()),
  function: z.nullish(responseFunctionCall()),
});

export const openAIChatResponseSchema = z.looseObject({
  id: z.nullish(z.string()),
  model: z.nullish(z.string()),
  choices: z.array(
    z.looseObject({
      index: z.nullish(z.number()),
      message: z.looseObject({
        content: z.nullish(responseContent),
        refusal: z.nullish(z.string()),
        reasoning_content: z.optional(z.unknown()),
        reasoning: z.optional(z.unknown()),
        tool_calls: z.nullish(z.array(responseToolCall)),
        function_call: z.nullish(responseFunctionCall()),
      }),
      finish_reason: z.nullish(z.string()),
    }),
  ),
  usage: z.nullish(openAIChatUsageSchema),
});
export type OpenAIChatResponse = z.infer<typeof openAIChatResponseSchema>;

const toolCallDelta = z.looseObject({
  index: z.nullish(z.number()),
  id: z.nullish(z.string()),
  type: z.nullish(z.string()),
  function: z.nullish(responseFunctionCall()),
});
export type OpenAIChatToolCallDelta = z.infer<typeof toolCallDelta>;

export const openAIChatChunkSchema = z.looseObject({
  id: z.nullish(z.string()),
  model: z.nullish(z.string()),
  choices: z.nullish(
    z.array(
      z.looseObject({
        index: z.nullish(z.number()),
        delta: z.nullish(
          z.looseObject({
            content: z.nullish(z.string()),
            refusal: z.nullish(z.string()),
            // Extensions differ in shape between servers: read them only when they are strings.
            reasoning_content: z.optional(z.unknown()),
            reasoning: z.optional(z.unknown()),
            tool_calls: z.nullish(z.array(toolCallDelta)),
          }),
        ),
        finish_reason: z.nullish(z.string()),
      }),
    ),
  ),
  usage: z.nullish(openAIChatUsageSchema),
  error: z.nullish(z.union([openAIChatErrorObjectSchema, z.string()])),
});
export type OpenAIChatChunk = z.infer<typeof openAIChatChunkSchema>;
