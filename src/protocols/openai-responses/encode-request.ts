import type { IrEffort, IrReasoning, IrRequest, IrResponseFormat, IrTool, IrToolChoice } from '../../ir/request';
import { unsupportedFeature } from '../../errors';
import type { EncodedUpstreamRequest, UpstreamTarget } from '../codec';
import { effortForBudget } from '../shared/reasoning-budget';
import { encodeResponsesInput } from './encode-input';
import type { ResponsesInputItemOut } from './encode-input';
import { capOutputTokens } from '../shared/output-cap';

/**
 * IR → a Responses upstream request (`POST {baseUrl}/responses`, baseUrl ending in /v1).
 * The system prompt travels as `instructions`. When reasoning is requested the relay asks for
 * `encrypted_content` with `store:false`: the relay keeps no server-side state, so the reasoning must
 * come back in the response to be replayed on the next turn.
 * Not carried (no Responses field, sampling hints only): top_k, seed, presence/frequency penalties.
 * Refused: stop sequences (no field; emulating them would mean cutting the stream) and a trailing
 * assistant turn (Responses has no prefill).
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
export interface ResponsesRequestBody {
  model: string;
  input: ResponsesInputItemOut[];
  instructions?: string;
  tools?: Array<{ type: 'function'; name: string; description?: string; parameters: Record<string, unknown>; strict: boolean }>;
  tool_choice?: 'auto' | 'none' | 'required' | { type: 'function'; name: string };
  parallel_tool_calls?: boolean;
  max_output_tokens?: number;
  temperature?: number;
  top_p?: number;
  text?: { format: Record<string, unknown> };
  reasoning?: { effort?: IrEffort; summary?: 'auto' | 'concise' | 'detailed' };
  include?: string[];
  store?: boolean;
  stream: boolean;
  metadata?: Record<string, string>;
  safety_identifier?: string;
}

// Strict mode demands every property be required and additionalProperties:false, which most client
// schemas are not; the API defaults it on, so it is sent off unless the client asked for it.
const encodeTool = (tool: IrTool) => ({
  type: 'function' as const,
  name: tool.name,
  ...(tool.description ? { description: tool.description } : {}),
  parameters: tool.parameters,
  strict: tool.strict === true,
});

export const encodeResponsesToolChoice = (choice: IrToolChoice): NonNullable<ResponsesRequestBody['tool_choice']> =>
  choice.type === 'tool' ? { type: 'function', name: choice.name } : choice.type;

export const encodeResponsesFormat = (format: IrResponseFormat): Record<string, unknown> => {
  if (format.type !== 'json_schema') return { type: format.type };
  return {
    type: 'json_schema',
    name: format.name ?? 'response',
    schema: format.schema,
    ...(format.description ? { description: format.description } : {}),
    ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}),
  };
};

const encodeResponsesReasoning = (reasoning: IrReasoning): NonNullable<ResponsesRequestBody['reasoning']> => {
  const effort: IrEffort | undefined =
    reasoning.enabled === false
      ? 'none'
      : (reasoning.effort ?? (reasoning.budgetTokens === undefined ? undefined : effortForBudget(reasoning.budgetTokens)));
  return {
    ...(effort ? { effort } : {}),
    ...(reasoning.visible === true && reasoning.enabled !== false ? { summary: reasoning.summary ?? 'auto' } : {}),
  };
};

/** `counting`: a token count only measures the prompt, so what generation cannot do does not matter. */
const buildResponsesRequestBody = (request: IrRequest, target: UpstreamTarget, counting = false): ResponsesRequestBody => {
  if (!counting && request.stopSequences !== undefined && request.stopSequences.length > 0)
    throw unsupportedFeature('stop sequences cannot be sent to an openai-responses upstream');
  if (!counting && request.messages.at(-1)?.role === 'assistant')
    throw unsupportedFeature('an openai-responses upstream cannot continue a prefilled assistant turn');
  const instructions = request.system.map((block) => block.text).join('\n\n');
  const reasoning = request.reasoning ? encodeResponsesReasoning(request.reasoning) : undefined;
  const wantsReasoning = request.reasoning !== undefined && request.reasoning.enabled !== false;
  const maxOutputTokens = capOutputTokens(request.maxOutputTokens, target);
  return {
    model: target.model,
    input: encodeResponsesInput(request.messages),
    ...(instructions === '' ? {} : { instructions }),
    ...(request.tools && request.tools.length > 0 ? { tools: request.tools.map(encodeTool) } : {}),
    ...(request.toolChoice ? { tool_choice: encodeResponsesToolChoice(request.toolChoice) } : {}),
    ...(request.parallelToolCalls === undefined ? {} : { parallel_tool_calls: request.parallelToolCalls }),
    ...(maxOutputTokens === undefined ? {} : { max_output_tokens: maxOutputTokens }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.topP === undefined ? {} : { top_p: request.topP }),
    ...(request.responseFormat ? { text: { format: encodeResponsesFormat(request.responseFormat) } } : {}),
    ...(reasoning && Object.keys(reasoning).length > 0 ? { reasoning } : {}),
    ...(wantsReasoning ? { include: ['reasoning.encrypted_content'], store: false } : {}),
    stream: target.stream,
    ...(request.metadata ? { metadata: request.metadata } : {}),
    ...(request.user ? { safety_identifier: request.user } : {}),
  };
};

export const encodeResponsesRequest = (request: IrRequest, target: UpstreamTarget): EncodedUpstreamRequest => ({
  path: '/responses',
  body: buildResponsesRequestBody(request, target),
});

/** `POST /responses/input_tokens` takes the prompt-shaping fields only; it rejects the others. */
export const encodeResponsesCountTokens = (request: IrRequest, target: UpstreamTarget): EncodedUpstreamRequest => {
  const body = buildResponsesRequestBody(request, { ...target, stream: false }, true);
  return {
    path: '/responses/input_tokens',
    body: {
      model: body.model,
      input: body.input,
      ...(body.instructions === undefined ? {} : { instructions: body.instructions }),
      ...(body.tools === undefined ? {} : { tools: body.tools }),
      ...(body.tool_choice === undefined ? {} : { tool_choice: body.tool_choice }),
      ...(body.parallel_tool_calls === undefined ? {} : { parallel_tool_calls: body.parallel_tool_calls }),
      ...(body.reasoning === undefined ? {} : { reasoning: body.reasoning }),
      ...(body.text === undefined ? {} : { text: body.text }),
    },
  };
};
