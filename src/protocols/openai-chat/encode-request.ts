import type { IrEffort, IrRequest, IrResponseFormat, IrToolChoice } from '../../ir/request';
import { unsupportedFeature } from '../../errors';
import type { EncodedUpstreamRequest, UpstreamTarget } from '../codec';
import type { OutputTokenField } from '../../routing/provider';
import { capOutputTokens } from '../shared/output-cap';
import { effortForBudget } from '../shared/reasoning-budget';
import { encodeOpenAIChatMessages } from './encode-messages';

/**
 * IR → a Chat Completions request for an OpenAI (or compatible) upstream. The provider baseUrl ends
 * in /v1, so the path is `/chat/completions`.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
const OPENAI_CHAT_PATH = '/chat/completions';
/** OpenAI's documented limits. */
const MAX_STOP_SEQUENCES = 4;
const MAX_SAFETY_IDENTIFIER = 128;

type WireToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

const encodeToolChoice = (choice: IrToolChoice): WireToolChoice =>
  choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type;

const encodeResponseFormat = (format: IrResponseFormat): Record<string, unknown> => {
  if (format.type !== 'json_schema') return { type: format.type };
  return {
    type: 'json_schema',
    json_schema: {
      // OpenAI requires a name; other formats (Anthropic, Gemini) have none to give.
      name: format.name ?? 'response',
      ...(format.description ? { description: format.description } : {}),
      schema: format.schema,
      ...(format.strict === undefined ? {} : { strict: format.strict }),
    },
  };
};

/**
 * Effort as given, else derived from a token budget. A client that only turned reasoning off sends
 * nothing: `reasoning_effort:"none"` is rejected by models that cannot disable reasoning.
 */
const reasoningEffort = (request: IrRequest): IrEffort | undefined => {
  const reasoning = request.reasoning;
  if (!reasoning) return undefined;
  if (reasoning.effort) return reasoning.effort;
  if (reasoning.enabled && reasoning.budgetTokens !== undefined && reasoning.budgetTokens !== 0) {
    return effortForBudget(reasoning.budgetTokens);
  }
  return undefined;
};

export const encodeOpenAIChatRequest = (request: IrRequest, target: UpstreamTarget): EncodedUpstreamRequest => {
  const body: Record<string, unknown> = {
    model: target.model,
    messages: encodeOpenAIChatMessages(request.system, request.messages),
  };

  const tools = request.tools ?? [];
  if (tools.length > 0) {
    body.tools = tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        parameters: tool.parameters,
        ...(tool.strict === undefined ? {} : { strict: tool.strict }),
      },
    }));
    // OpenAI rejects parallel_tool_calls when no tools are given.
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.toolChoice) body.tool_choice = encodeToolChoice(request.toolChoice);
  if (request.responseFormat) body.response_format = encodeResponseFormat(request.responseFormat);
  const effort = reasoningEffort(request);
  if (effort) body.reasoning_effort = effort;

  const maxOutputTokens = capOutputTokens(request.maxOutputTokens, target);
  if (maxOutputTokens !== undefined) body[outputTokenField(target)] = maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stopSequences && request.stopSequences.length > 0) {
    if (request.stopSequences.length > MAX_STOP_SEQUENCES) {
      const count = request.stopSequences.length;
      throw unsupportedFeature(`stop sequences: openai-chat accepts at most ${MAX_STOP_SEQUENCES}, got ${count}`);
    }
    body.stop = request.stopSequences;
  }
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  // A longer id (Claude Code's JSON user_id) would be a 400; its head still identifies the user.
  if (request.user) body.safety_identifier = request.user.slice(0, MAX_SAFETY_IDENTIFIER);

  body.stream = target.stream;
  // The relay always needs usage; the client-side encoder decides whether the client sees it.
  if (target.stream) body.stream_options = { include_usage: true };
  return { path: OPENAI_CHAT_PATH, body };
};

/**
 * Same-format passthrough: the model, include_usage so the usage tap can count, and the output cap,
 * spelled the way the model takes it (OpenAI's reasoning models refuse `max_tokens`) and within its
 * ceiling. The body is copied only when one of them changes.
 */
export const rewriteOpenAIChatPassthrough = (body: Record<string, unknown>, target: UpstreamTarget): EncodedUpstreamRequest => {
  const existing = body.stream_options;
  const options = existing !== null && typeof existing === 'object' ? (existing as Record<string, unknown>) : {};
  const addUsage = target.stream && options.include_usage !== true;
  const limit = outputLimitRewrite(body, target);
  if (body.model === target.model && !addUsage && limit === undefined) return { path: OPENAI_CHAT_PATH, body };
  const rewritten: Record<string, unknown> = { ...body, model: target.model };
  if (addUsage) rewritten.stream_options = { ...options, include_usage: true };
  if (limit !== undefined) {
    delete rewritten.max_tokens;
    delete rewritten.max_completion_tokens;
    rewritten[limit.field] = limit.value;
  }
  return { path: OPENAI_CHAT_PATH, body: rewritten };
};

/** Without a model route (unit callers), the field OpenAI documents. */
const outputTokenField = (target: UpstreamTarget): OutputTokenField => target.profile?.outputTokenField ?? 'max_completion_tokens';

/**
 * The output cap a passthrough body must carry instead of its own, or undefined when it is fine as
 * sent. Only `max_tokens` is renamed (for models that take `max_completion_tokens`): the other way
 * round, a client's `max_completion_tokens` already reached every server that accepted it.
 */
const outputLimitRewrite = (body: Record<string, unknown>, target: UpstreamTarget): { field: OutputTokenField; value: number } | undefined => {
  if (target.profile === undefined) return undefined;
  const completion = body.max_completion_tokens;
  const legacy = body.max_tokens;
  if (typeof completion === 'number') {
    const value = capOutputTokens(completion, target) ?? completion;
    return value === completion && legacy === undefined ? undefined : { field: 'max_completion_tokens', value };
  }
  if (typeof legacy !== 'number') return undefined;
  const field = target.profile.outputTokenField;
  const value = capOutputTokens(legacy, target) ?? legacy;
  return value === legacy && field === 'max_tokens' ? undefined : { field, value };
};
