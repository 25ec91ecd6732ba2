import * as z from 'zod/mini';
import { knownTypeOrAbsent, lenientEnum } from '../shared/lenient-enum';

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

const nonEmpty = () => z.string().check(z.minLength(1));

const cacheBreakpoint = z.looseObject({ mode: z.string(), ttl: z.nullish(z.string()) });
const imageDetail = lenientEnum(['auto', 'low', 'high', 'original']);

const inputText = z.looseObject({
  type: z.literal('input_text'),
  text: z.string(),
  prompt_cache_breakpoint: z.nullish(cacheBreakpoint),
});
const inputImage = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.nullish(z.string()),
  file_id: z.nullish(z.string()),
  detail: z.nullish(imageDetail),
  prompt_cache_breakpoint: z.nullish(cacheBreakpoint),
});
const inputFile = z.looseObject({
  type: z.literal('input_file'),
  file_data: z.nullish(z.string()),
  file_id: z.nullish(z.string()),
  file_url: z.nullish(z.string()),
  filename: z.nullish(z.string()),
  prompt_cache_breakpoint: z.nullish(cacheBreakpoint),
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
  call_id: nonEmpty(),
  name: nonEmpty(),
  namespace: z.nullish(z.string()),
  arguments: z.string(),
});

const toolOutput = () => z.union([z.string(), z.array(z.discriminatedUnion('type', [inputText, inputImage, inputFile]))], requiredUnion);

const functionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: nonEmpty(),
  name: z.nullish(z.string()),
  namespace: z.nullish(z.string()),
  output: toolOutput(),
});

const reasoningItem = z.looseObject({
  type: z.literal('reasoning'),
  id: z.nullish(z.string()),
  summary: z.nullish(z.array(z.looseObject({ type: z.string(), text: z.string() }))),
  content: z.nullish(z.array(z.looseObject({ type: z.string(), text: z.string() }))),
  encrypted_content: z.nullish(z.string()),
});

/** Calls of client-run tools that are not JSON functions (client-tools.ts); their outputs come back as the *_output items. */
const customToolCallItem = z.looseObject({
  type: z.literal('custom_tool_call'),
  call_id: nonEmpty(),
  name: nonEmpty(),
  namespace: z.nullish(z.string()),
  input: z.string(),
});

const customToolCallOutputItem = z.looseObject({
  type: z.literal('custom_tool_call_output'),
  call_id: nonEmpty(),
  output: toolOutput(),
});

const localShellCallItem = z.looseObject({
  type: z.literal('local_shell_call'),
  id: z.nullish(z.string()),
  call_id: z.nullish(z.string()),
  action: z.looseObject({ type: z.string(), command: z.nullish(z.array(z.string())) }),
});

const inputItem = z.discriminatedUnion('type', [
  messageItem,
  functionCallItem,
  functionCallOutputItem,
  reasoningItem,
  customToolCallItem,
  customToolCallOutputItem,
  localShellCallItem,
]);

const jsonObject = z.record(z.string(), z.unknown());

const functionTool = z.looseObject({
  type: z.literal('function'),
  name: nonEmpty(),
  description: z.nullish(z.string()),
  parameters: z.nullish(jsonObject),
  strict: z.nullish(z.boolean()),
});

const customTool = z.looseObject({
  type: z.literal('custom'),
  name: nonEmpty(),
  description: z.nullish(z.string()),
  format: z.nullish(jsonObject),
});

const localShellTool = z.looseObject({ type: z.literal('local_shell') });

const namespaceTool = z.looseObject({
  type: z.literal('namespace'),
  name: nonEmpty(),
  description: z.nullish(z.string()),
  tools: z.array(z.discriminatedUnion('type', [functionTool, customTool])),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), name: nonEmpty() }),
  z.looseObject({
    type: z.literal('allowed_tools'),
    mode: z.enum(['auto', 'required']),
    tools: z.array(z.looseObject({ type: z.string(), name: z.nullish(z.string()) })),
  }),
]);

const textFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    name: z.nullish(z.string()),
    description: z.nullish(z.string()),
    schema: jsonObject,
    strict: z.nullish(z.boolean()),
  }),
]);

const summaryMode = lenientEnum(['auto', 'concise', 'detailed']);

export const responsesRequestSchema = lazy(() =>
  z.looseObject({
    model: nonEmpty(),
    input: z.union([z.string(), z.array(inputItem)], requiredUnion),
    instructions: z.nullish(z.string()),
    tools: z.nullish(z.array(z.discriminatedUnion('type', [functionTool, customTool, localShellTool, namespaceTool]))),
    tool_choice: z.nullish(toolChoice),
    parallel_tool_calls: z.nullish(z.boolean()),
    max_output_tokens: z.nullish(z.number().check(z.int(), z.positive())),
    temperature: z.nullish(z.number()),
    top_p: z.nullish(z.number()),
    text: z.nullish(z.looseObject({ format: knownTypeOrAbsent(['text', 'json_object', 'json_schema'], textFormat) })),
    reasoning: z.nullish(
      z.looseObject({
        effort: lenientEnum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']),
        summary: summaryMode,
        generate_summary: summaryMode,
      }),
    ),
    stream: z.nullish(z.boolean()),
    metadata: z.nullish(z.record(z.string(), z.string())),
    user: z.nullish(z.string()),
    safety_identifier: z.nullish(z.string()),
  }),
);

export type ResponsesRequest = z.infer<ReturnType<typeof responsesRequestSchema>>;
export type ResponsesInputItem = z.infer<typeof inputItem>;
export type ResponsesContentPart = z.infer<typeof contentPart>;
export type ResponsesFunctionTool = z.infer<typeof functionTool>;
export type ResponsesCustomTool = z.infer<typeof customTool>;
export type ResponsesToolChoice = z.infer<typeof toolChoice>;
export type ResponsesTextFormat = z.infer<typeof textFormat>;

export const responsesPeekSchema = lazy(() => z.looseObject({ model: nonEmpty(), stream: z.nullish(z.boolean()) }));

// ── egress ──────────────────────────────────────────────────────────────────────────────────────

const usage = z.looseObject({
  input_tokens: z.nullish(z.number()),
  input_tokens_details: z.nullish(
    z.looseObject({ cached_tokens: z.nullish(z.number()), cache_write_tokens: z.nullish(z.number()) }),
  ),
  output_tokens: z.nullish(z.number()),
  output_tokens_details: z.nullish(z.looseObject({ reasoning_tokens: z.nullish(z.number()) })),
  total_tokens: z.nullish(z.number()),
});

const textEntry = z.looseObject({ type: z.nullish(z.string()), text: z.nullish(z.string()) });
const contentEntry = () =>
  z.looseObject({ type: z.nullish(z.string()), text: z.nullish(z.string()), refusal: z.nullish(z.string()) });

const outputItem = z.looseObject({
  type: z.string(),
  id: z.nullish(z.string()),
  status: z.nullish(z.string()),
  role: z.nullish(z.string()),
  content: z.nullish(z.array(contentEntry())),
  summary: z.nullish(z.array(textEntry)),
  encrypted_content: z.nullish(z.string()),
  call_id: z.nullish(z.string()),
  name: z.nullish(z.string()),
  namespace: z.nullish(z.string()),
  arguments: z.nullish(z.string()),
});

const errorCode = () => z.nullish(z.union([z.string(), z.number()]));

const errorObject = z.looseObject({
  type: z.nullish(z.string()),
  code: errorCode(),
  message: z.nullish(z.string()),
  param: z.nullish(z.string()),
});

const responseObject = z.looseObject({
  id: z.nullish(z.string()),
  model: z.nullish(z.string()),
  status: z.nullish(z.string()),
  output: z.nullish(z.array(outputItem)),
  usage: z.nullish(usage),
  incomplete_details: z.nullish(z.looseObject({ reason: z.nullish(z.string()) })),
  error: z.nullish(errorObject),
});

export const responsesResponseSchema = lazy(() => responseObject);

export const responsesStreamEventSchema = lazy(() =>
  z.looseObject({
    type: z.string(),
    output_index: z.nullish(z.number()),
    content_index: z.nullish(z.number()),
    summary_index: z.nullish(z.number()),
    item_id: z.nullish(z.string()),
    delta: z.nullish(z.string()),
    text: z.nullish(z.string()),
    refusal: z.nullish(z.string()),
    arguments: z.nullish(z.string()),
    item: z.nullish(outputItem),
    part: z.nullish(contentEntry()),
    response: z.nullish(responseObject),
    error: z.nullish(errorObject),
    code: errorCode(),
    message: z.nullish(z.string()),
    param: z.nullish(z.string()),
  }),
);

export const responsesErrorBodySchema = lazy(() => z.looseObject({ error: z.nullish(z.union([errorObject, z.string()])) }));

export const responsesInputTokensSchema = lazy(() =>
  z.looseObject({ input_tokens: z.number().check(z.int(), z.nonnegative()) }),
);

export type ResponsesUsageWire = z.infer<typeof usage>;
export type ResponsesOutputItemWire = z.infer<typeof outputItem>;
export type ResponsesResponseWire = z.infer<typeof responseObject>;
export type ResponsesStreamEventWire = z.infer<ReturnType<typeof responsesStreamEventSchema>>;
export type ResponsesErrorObjectWire = z.infer<typeof errorObject>;
