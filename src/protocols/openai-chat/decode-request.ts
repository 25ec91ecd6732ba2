import type { IrRequest, IrResponseFormat, IrTool, IrToolChoice } from '../../ir/request';
import { invalidRequest, unsupportedFeature } from '../../errors';
import type { RouteInfo } from '../codec';
import { invalidRequestFromZod } from '../shared/zod-issue';
import { decodeOpenAIChatMessages } from './decode-messages';
import { openAIChatPeekSchema, openAIChatRequestSchema } from './schema';
import type { OpenAIChatRequest } from './schema';
import { openAIChatCacheHint } from './cache-hint';

/**
 * A Chat Completions request from a client → IR. Fields the IR cannot carry and that change what the
 * model produces (n>1, logprobs, audio, predictions, logit_bias, web search, custom tools) are a 400
 * `unsupported_feature`; operational fields (store, service_tier, prompt_cache_*, verbosity,
 * include_obfuscation) are ignored.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
const DEFAULT_PARAMETERS: Record<string, unknown> = { type: 'object', properties: {} };

interface FunctionDefinition {
  name: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
}

const toolFromDefinition = (definition: FunctionDefinition): IrTool => ({
  name: definition.name,
  ...(definition.description ? { description: definition.description } : {}),
  parameters: definition.parameters ?? DEFAULT_PARAMETERS,
  ...(definition.strict === true || definition.strict === false ? { strict: definition.strict } : {}),
});

const decodeTools = (body: OpenAIChatRequest): IrTool[] => {
  const tools: IrTool[] = [];
  (body.tools ?? []).forEach((tool, index) => {
    if (tool.type === 'custom') throw unsupportedFeature(`tools[${index}]: custom tools cannot be translated`);
    tools.push({ ...toolFromDefinition(tool.function), ...openAIChatCacheHint(tool) });
  });
  // Legacy `functions` are plain function tools.
  for (const definition of body.functions ?? []) tools.push(toolFromDefinition(definition));
  return tools;
};

const allowedToolName = (entry: Record<string, unknown>): string | undefined => {
  const fn = entry.function;
  if (fn !== null && typeof fn === 'object' && typeof (fn as Record<string, unknown>).name === 'string') {
    return (fn as Record<string, unknown>).name as string;
  }
  return typeof entry.name === 'string' ? entry.name : undefined;
};

/** tool_choice → IR; `allowed_tools` has no IR form, so the tool list is narrowed to the allowed set. */
const decodeToolChoice = (body: OpenAIChatRequest, tools: IrTool[]): { toolChoice?: IrToolChoice; tools: IrTool[] } => {
  const choice = body.tool_choice;
  if (choice === null || choice === undefined) {
    const legacy = body.function_call;
    if (legacy === null || legacy === undefined) return { tools };
    if (legacy === 'none' || legacy === 'auto') return { toolChoice: { type: legacy }, tools };
    return { toolChoice: { type: 'tool', name: legacy.name }, tools };
  }
  if (typeof choice === 'string') return { toolChoice: { type: choice }, tools };
  switch (choice.type) {
    case 'function':
      return { toolChoice: { type: 'tool', name: choice.function.name }, tools };
    case 'custom':
      throw unsupportedFeature('tool_choice: custom tools cannot be translated');
    case 'allowed_tools': {
      const names = choice.allowed_tools.tools.map(allowedToolName);
      const allowed = new Set(names.filter((name): name is string => name !== undefined));
      const narrowed = tools.filter((tool) => allowed.has(tool.name));
      if (narrowed.length !== allowed.size) {
        throw invalidRequest('tool_choice.allowed_tools.tools: names a tool that is not in tools', 'tool_choice');
      }
      return { toolChoice: { type: choice.allowed_tools.mode }, tools: narrowed };
    }
  }
};

const decodeResponseFormat = (format: OpenAIChatRequest['response_format']): IrResponseFormat | undefined => {
  if (!format) return undefined;
  if (format.type !== 'json_schema') return { type: format.type };
  const schema = format.json_schema;
  return {
    type: 'json_schema',
    ...(schema.name ? { name: schema.name } : {}),
    ...(schema.description ? { description: schema.description } : {}),
    schema: schema.schema ?? {},
    ...(schema.strict === true || schema.strict === false ? { strict: schema.strict } : {}),
  };
};

const isSet = (value: unknown): boolean => value !== null && value !== undefined;

/** The first field whose meaning the IR cannot carry, as the message of a 400. */
const untranslatable = (body: OpenAIChatRequest): string | undefined => {
  if (body.n !== null && body.n !== undefined && body.n > 1) return 'n: only one choice (n=1) can be translated';
  if (body.logprobs === true) return 'logprobs: log probabilities cannot be translated';
  if (body.logit_bias && Object.keys(body.logit_bias).length > 0) return 'logit_bias: cannot be translated';
  if (isSet(body.audio)) return 'audio: audio output cannot be translated';
  if (body.modalities?.some((modality) => modality !== 'text')) return 'modalities: only text output can be translated';
  if (isSet(body.prediction)) return 'prediction: predicted outputs cannot be translated';
  if (isSet(body.web_search_options)) return 'web_search_options: built-in web search cannot be translated';
  return undefined;
};

export const decodeOpenAIChatRequest = (input: unknown, _route: RouteInfo): IrRequest => {
  const parsed = openAIChatRequestSchema.safeParse(input);
  if (!parsed.success) throw invalidRequestFromZod(parsed.error);
  const body = parsed.data;
  const refusal = untranslatable(body);
  if (refusal !== undefined) throw unsupportedFeature(refusal);

  const { system, messages } = decodeOpenAIChatMessages(body.messages);
  const { tools, toolChoice } = decodeToolChoice(body, decodeTools(body));
  const stream = body.stream === true;
  const request: IrRequest = { model: body.model, system, messages, stream };

  if (tools.length > 0) request.tools = tools;
  if (toolChoice) request.toolChoice = toolChoice;
  if (typeof body.parallel_tool_calls === 'boolean') request.parallelToolCalls = body.parallel_tool_calls;
  const responseFormat = decodeResponseFormat(body.response_format);
  if (responseFormat) request.responseFormat = responseFormat;
  if (body.reasoning_effort) request.reasoning = { enabled: body.reasoning_effort !== 'none', effort: body.reasoning_effort };

  const maxOutputTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxOutputTokens !== null && maxOutputTokens !== undefined) request.maxOutputTokens = maxOutputTokens;
  if (body.temperature !== null && body.temperature !== undefined) request.temperature = body.temperature;
  if (body.top_p !== null && body.top_p !== undefined) request.topP = body.top_p;
  if (body.seed !== null && body.seed !== undefined) request.seed = body.seed;
  if (body.presence_penalty !== null && body.presence_penalty !== undefined) request.presencePenalty = body.presence_penalty;
  if (body.frequency_penalty !== null && body.frequency_penalty !== undefined) request.frequencyPenalty = body.frequency_penalty;
  const stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (stop && stop.length > 0) request.stopSequences = stop;

  if (stream && body.stream_options?.include_usage === true) request.streamUsage = true;
  const user = body.safety_identifier ?? body.user;
  if (user) request.user = user;
  if (body.metadata && Object.keys(body.metadata).length > 0) request.metadata = body.metadata;
  return request;
};

export const peekOpenAIChatRequest = (input: unknown, _route: RouteInfo): { model: string; stream: boolean } => {
  const parsed = openAIChatPeekSchema.safeParse(input);
  if (!parsed.success) throw invalidRequestFromZod(parsed.error);
  return { model: parsed.data.model, stream: parsed.data.stream === true };
};
