import * as z from 'zod';

/**
 * OpenAI Responses wire shapes.
 * Ingress (what clients send): strict on the fields we read, loose on everything else. Item and tool
 * types the IR cannot carry are refused before these schemas run (request-support.ts), so the unions
 * here list only what the relay translates.
 * Egress (what upstreams answer): minimal and nullish, because Responses-compatible servers vary.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */

const lazy = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= build());
};

// ── ingress ─────────────────────────────────────────────────────────────────────────────────────

/** A missing union field reads "Required", like every other missing field (zod says "Invalid input"). */
const requiredUnion = { error: (issue: { input?: unknown }) => (issue.input === undefined ? 'Required' : undefined) };

const cacheBreakpoint = z.looseObject({ mode: z.string(), ttl: z.string().nullish() });
const imageDetail = z.enum(['auto', 'low', 'high', 'original']);

const inputText = z.looseObject({
  type: z.literal('input_text'),
  text: z.string(),
  prompt_cache_breakpoint: cacheBreakpoint.nullish(),
});
const inputImage = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string().nullish(),
  file_id: z.string().nullish(),
  detail: imageDetail.nullish(),
  prompt_cache_breakpoint: cacheBreakpoint.nullish(),
});
const inputFile = z.looseObject({
  type: z.literal('input_file'),
  file_data: z.string().nullish(),
  file_id: z.string().nullish(),
  file_url: z.string().nullish(),
  filename: z.string().nullish(),
  prompt_cache_breakpoint: cacheBreakpoint.nullish(),
});
const outputText = z.looseObject({ type: z.literal('output_text'), text: z.string() });
const refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

const contentPart = z.discriminatedUnion('type', [inputText, inputImage, inputFile, outputText, refusal]);

const messageItem = z.looseObject({
  type: z.literal('message'),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(contentPart)], requiredUnion),
});

const functionCallItem = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().nullish(),
  arguments: z.string(),
});

const functionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  name: z.string().nullish(),
  namespace: z.string().nullish(),
  output: z.union([z.string(), z.array(z.discriminatedUnion('type', [inputText, inputImage, inputFile]))], requiredUnion),
});

const reasoningItem = z.looseObject({
  type: z.literal('reasoning'),
  id: z.string().nullish(),
  summary: z.array(z.looseObject({ type: z.string(), text: z.string() })).nullish(),
  content: z.array(z.looseObject({ type: z.string(), text: z.string() })).nullish(),
  encrypted_content: z.string().nullish(),
});

const inputItem = z.discriminatedUnion('type', [messageItem, functionCallItem, functionCallOutputItem, reasoningItem]);

const jsonObject = z.record(z.string(), z.unknown());

const functionTool = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: jsonObject.nullish(),
  strict: z.boolean().nullish(),
});

const namespaceTool = z.looseObject({
  type: z.literal('namespace'),
  name: z.string().min(1),
  description: z.string().nullish(),
  tools: z.array(functionTool),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), name: z.string().min(1) }),
  z.looseObject({
    type: z.literal('allowed_tools'),
    mode: z.enum(['auto', 'required']),
    tools: z.array(z.looseObject({ type: z.string(), name: z.string().nullish() })),
  }),
]);

const textFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    name: z.string().nullish(),
    description: z.string().nullish(),
    schema: jsonObject,
    strict: z.boolean().nullish(),
  }),
]);

const summaryMode = z.enum(['auto', 'concise', 'detailed']);

export const responsesRequestSchema = lazy(() =>
  z.looseObject({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(inputItem)], requiredUnion),
    instructions: z.string().nullish(),
    tools: z.array(z.discriminatedUnion('type', [functionTool, namespaceTool])).nullish(),
    tool_choice: toolChoice.nullish(),
    parallel_tool_calls: z.boolean().nullish(),
    max_output_tokens: z.number().int().positive().nullish(),
    temperature: z.number().nullish(),
    top_p: z.number().nullish(),
    text: z.looseObject({ format: textFormat.nullish() }).nullish(),
    reasoning: z
      .looseObject({
        effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']).nullish(),
        summary: summaryMode.nullish(),
        generate_summary: summaryMode.nullish(),
      })
      .nullish(),
    stream: z.boolean().nullish(),
    metadata: z.record(z.string(), z.string()).nullish(),
    user: z.string().nullish(),
    safety_identifier: z.string().nullish(),
  }),
);

export type ResponsesRequest = z.infer<ReturnType<typeof responsesRequestSchema>>;
export type ResponsesInputItem = z.infer<typeof inputItem>;
export type ResponsesContentPart = z.infer<typeof contentPart>;
export type ResponsesFunctionTool = z.infer<typeof functionTool>;
export type ResponsesToolChoice = z.infer<typeof toolChoice>;
export type ResponsesTextFormat = z.infer<typeof textFormat>;

export const responsesPeekSchema = lazy(() =>
  z.looseObject({ model: z.string().min(1), stream: z.boolean().nullish() }),
);

// ── egress ──────────────────────────────────────────────────────────────────────────────────────

const usage = z.looseObject({
  input_tokens: z.number().nullish(),
  input_tokens_details: z
    .looseObject({ cached_tokens: z.number().nullish(), cache_write_tokens: z.number().nullish() })
    .nullish(),
  output_tokens: z.number().nullish(),
  output_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
  total_tokens: z.number().nullish(),
});

const textEntry = z.looseObject({ type: z.string().nullish(), text: z.string().nullish() });

const outputItem = z.looseObject({
  type: z.string(),
  id: z.string().nullish(),
  status: z.string().nullish(),
  role: z.string().nullish(),
  content: z
    .array(z.looseObject({ type: z.string().nullish(), text: z.string().nullish(), refusal: z.string().nullish() }))
    .nullish(),
  summary: z.array(textEntry).nullish(),
  encrypted_content: z.string().nullish(),
  call_id: z.string().nullish(),
  name: z.string().nullish(),
  namespace: z.string().nullish(),
  arguments: z.string().nullish(),
});

const errorObject = z.looseObject({
  type: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
  message: z.string().nullish(),
  param: z.string().nullish(),
});

const responseObject = z.looseObject({
  id: z.string().nullish(),
  model: z.string().nullish(),
  status: z.string().nullish(),
  output: z.array(outputItem).nullish(),
  usage: usage.nullish(),
  incomplete_details: z.looseObject({ reason: z.string().nullish() }).nullish(),
  error: errorObject.nullish(),
});

export const responsesResponseSchema = lazy(() => responseObject);

export const responsesStreamEventSchema = lazy(() =>
  z.looseObject({
    type: z.string(),
    output_index: z.number().nullish(),
    content_index: z.number().nullish(),
    summary_index: z.number().nullish(),
    item_id: z.string().nullish(),
    delta: z.string().nullish(),
    text: z.string().nullish(),
    refusal: z.string().nullish(),
    arguments: z.string().nullish(),
    item: outputItem.nullish(),
    part: z.looseObject({ type: z.string().nullish(), text: z.string().nullish(), refusal: z.string().nullish() }).nullish(),
    response: responseObject.nullish(),
    error: errorObject.nullish(),
    code: z.union([z.string(), z.number()]).nullish(),
    message: z.string().nullish(),
    param: z.string().nullish(),
  }),
);

export const responsesErrorBodySchema = lazy(() => z.looseObject({ error: z.union([errorObject, z.string()]).nullish() }));

export const responsesInputTokensSchema = lazy(() => z.looseObject({ input_tokens: z.number().int().nonnegative() }));

export type ResponsesUsageWire = z.infer<typeof usage>;
export type ResponsesOutputItemWire = z.infer<typeof outputItem>;
export type ResponsesResponseWire = z.infer<typeof responseObject>;
export type ResponsesStreamEventWire = z.infer<ReturnType<typeof responsesStreamEventSchema>>;
export type ResponsesErrorObjectWire = z.infer<typeof errorObject>;
