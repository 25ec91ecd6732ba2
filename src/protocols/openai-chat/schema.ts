import * as z from 'zod';

/**
 * OpenAI Chat Completions wire shapes.
 * Ingress (what clients send): strict on the fields we read, loose on everything else.
 * Egress (what upstreams answer): minimal and nullish, because OpenAI-compatible servers vary.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */

const cacheBreakpoint = z.looseObject({ mode: z.string(), ttl: z.string().nullish() });

const textPart = z.looseObject({
  type: z.literal('text'),
  text: z.string(),
  prompt_cache_breakpoint: cacheBreakpoint.nullish(),
});

const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({
    url: z.string().min(1),
    detail: z.enum(['auto', 'low', 'high', 'original']).nullish(),
  }),
  prompt_cache_breakpoint: cacheBreakpoint.nullish(),
});

const audioPart = z.looseObject({
  type: z.literal('input_audio'),
  input_audio: z.looseObject({ data: z.string(), format: z.string() }),
});

const filePart = z.looseObject({
  type: z.literal('file'),
  file: z.looseObject({
    file_data: z.string().nullish(),
    file_id: z.string().nullish(),
    filename: z.string().nullish(),
  }),
  prompt_cache_breakpoint: cacheBreakpoint.nullish(),
});

const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

const userPart = z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart]);
const systemContent = z.union([z.string(), z.array(textPart)]);

/** Arguments are a JSON string on the wire; some clients send the object itself. */
const toolArguments = z.union([z.string(), z.record(z.string(), z.unknown())]);

const functionToolCall = z.looseObject({
  id: z.string().min(1),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().min(1), arguments: toolArguments.nullish() }),
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
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, refusalPart]))]).nullish(),
  refusal: z.string().nullish(),
  tool_calls: z.array(z.union([functionToolCall, customToolCall])).nullish(),
  function_call: z.looseObject({ name: z.string().min(1), arguments: toolArguments.nullish() }).nullish(),
  audio: z.looseObject({ id: z.string() }).nullish(),
  /** De-facto extension (DeepSeek, vLLM, Vercel openai-compatible): reasoning text of this turn. */
  reasoning_content: z.string().nullish(),
});

const toolMessage = z.looseObject({
  role: z.literal('tool'),
  tool_call_id: z.string().min(1),
  // OpenAI allows only text parts here; image parts are accepted because the IR can carry them.
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, imagePart]))]),
});

const functionMessage = z.looseObject({
  role: z.literal('function'),
  name: z.string().min(1),
  content: z.string().nullish(),
});

export const openAIChatMessageSchema = z.discriminatedUnion('role', [
  systemMessage,
  developerMessage,
  userMessage,
  assistantMessage,
  toolMessage,
  functionMessage,
]);

const functionDefinition = z.looseObject({
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

const functionTool = z.looseObject({ type: z.literal('function'), function: functionDefinition });
const customTool = z.looseObject({ type: z.literal('custom'), custom: z.looseObject({ name: z.string() }) });

const namedToolChoice = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1) }),
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
      name: z.string().nullish(),
      description: z.string().nullish(),
      schema: z.record(z.string(), z.unknown()).nullish(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

export const openAIChatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(openAIChatMessageSchema).min(1),
  tools: z.array(z.discriminatedUnion('type', [functionTool, customTool])).nullish(),
  tool_choice: z
    .union([z.enum(['none', 'auto', 'required']), namedToolChoice, customToolChoice, allowedToolsChoice])
    .nullish(),
  functions: z.array(functionDefinition).nullish(),
  function_call: z.union([z.enum(['none', 'auto']), z.looseObject({ name: z.string().min(1) })]).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  max_completion_tokens: z.number().int().nonnegative().nullish(),
  max_tokens: z.number().int().nonnegative().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  seed: z.number().int().nullish(),
  presence_penalty: z.number().nullish(),
  frequency_penalty: z.number().nullish(),
  n: z.number().int().nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  response_format: responseFormat.nullish(),
  reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  safety_identifier: z.string().nullish(),
  user: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  audio: z.unknown().optional(),
  modalities: z.array(z.string()).nullish(),
  prediction: z.unknown().optional(),
  web_search_options: z.unknown().optional(),
});

export type OpenAIChatRequest = z.infer<typeof openAIChatRequestSchema>;
export type OpenAIChatMessage = z.infer<typeof openAIChatMessageSchema>;
export type OpenAIChatUserPart = z.infer<typeof userPart>;
export type OpenAIChatTextPart = z.infer<typeof textPart>;

export const openAIChatPeekSchema = z.looseObject({ model: z.string().min(1), stream: z.boolean().nullish() });

// ── egress: upstream answers ──────────────────────────────────────────────

export const openAIChatUsageSchema = z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  total_tokens: z.number().nullish(),
  prompt_tokens_details: z
    .looseObject({ cached_tokens: z.number().nullish(), cache_write_tokens: z.number().nullish() })
    .nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
});
export type OpenAIChatUsage = z.infer<typeof openAIChatUsageSchema>;

export const openAIChatErrorObjectSchema = z.looseObject({
  message: z.string().nullish(),
  type: z.string().nullish(),
  param: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
});
export type OpenAIChatErrorObject = z.infer<typeof openAIChatErrorObjectSchema>;

/** Assistant content: a string, or (Mistral and some compatible servers) an array of typed parts. */
const responseContent = z.union([
  z.string(),
  z.array(z.looseObject({ type: z.string().nullish(), text: z.string().nullish() })),
]);

const responseToolCall = z.looseObject({
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

export const openAIChatResponseSchema = z.looseObject({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z.array(
    z.looseObject({
      index: z.number().nullish(),
      message: z.looseObject({
        content: responseContent.nullish(),
        refusal: z.string().nullish(),
        reasoning_content: z.unknown().optional(),
        reasoning: z.unknown().optional(),
        tool_calls: z.array(responseToolCall).nullish(),
        function_call: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
      }),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: openAIChatUsageSchema.nullish(),
});
export type OpenAIChatResponse = z.infer<typeof openAIChatResponseSchema>;

const toolCallDelta = z.looseObject({
  index: z.number().nullish(),
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});
export type OpenAIChatToolCallDelta = z.infer<typeof toolCallDelta>;

export const openAIChatChunkSchema = z.looseObject({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.looseObject({
        index: z.number().nullish(),
        delta: z
          .looseObject({
            content: z.string().nullish(),
            refusal: z.string().nullish(),
            // Extensions differ in shape between servers: read them only when they are strings.
            reasoning_content: z.unknown().optional(),
            reasoning: z.unknown().optional(),
            tool_calls: z.array(toolCallDelta).nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: openAIChatUsageSchema.nullish(),
  error: z.union([openAIChatErrorObjectSchema, z.string()]).nullish(),
});
export type OpenAIChatChunk = z.infer<typeof openAIChatChunkSchema>;
