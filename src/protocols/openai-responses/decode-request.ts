import type { IrReasoning, IrRequest, IrResponseFormat } from '../../ir/request';
import type { RouteInfo } from '../codec';
import { decodeResponsesInput } from './decode-input';
import { decodeResponsesTools } from './decode-tools';
import { prepareResponsesRequest } from './request-support';
import { responsesPeekSchema, responsesRequestSchema } from './schema';
import type { ResponsesRequest, ResponsesTextFormat } from './schema';
import { invalidResponsesRequest } from './explain-invalid-request';

/**
 * Client Responses request → IR. Only used when translating to another upstream format (a Responses
 * upstream gets the body as sent), so stateful features and hosted tools are refused here with a 400.
 * Ignored as harmless or relay-irrelevant: `store`, `include`, `prompt_cache_key`,
 * `prompt_cache_options`, `prompt_cache_retention`, `client_metadata`, `service_tier`, `truncation`,
 * `text.verbosity`, `stream_options`, `max_tool_calls` (it limits hosted tools only).
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
const responseFormat = (format: ResponsesTextFormat | null | undefined): IrResponseFormat | undefined => {
  if (format === null || format === undefined) return undefined;
  if (format.type !== 'json_schema') return { type: format.type };
  return {
    type: 'json_schema',
    schema: format.schema,
    ...(format.name ? { name: format.name } : {}),
    ...(format.description ? { description: format.description } : {}),
    ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}),
  };
};

/** A summary mode means the client wants to see reasoning; effort alone only sets how much. */
const reasoning = (config: ResponsesRequest['reasoning']): IrReasoning | undefined => {
  if (config === null || config === undefined) return undefined;
  const summary = config.summary ?? config.generate_summary ?? undefined;
  const effort = config.effort ?? undefined;
  if (summary === undefined && effort === undefined) return undefined;
  return {
    enabled: effort !== 'none',
    ...(effort ? { effort } : {}),
    ...(summary ? { visible: true, summary } : {}),
  };
};

export const decodeResponsesRequest = (body: unknown, _route: RouteInfo): IrRequest => {
  const parsed = responsesRequestSchema().safeParse(prepareResponsesRequest(body));
  if (!parsed.success) throw invalidResponsesRequest(parsed.error);
  const request = parsed.data;
  const { system, messages } = decodeResponsesInput(request.input, request.instructions);
  const format = responseFormat(request.text?.format);
  const thinking = reasoning(request.reasoning);
  const user = request.safety_identifier ?? request.user ?? undefined;
  return {
    model: request.model,
    system,
    messages,
    ...decodeResponsesTools(request),
    ...(typeof request.parallel_tool_calls === 'boolean' ? { parallelToolCalls: request.parallel_tool_calls } : {}),
    ...(format ? { responseFormat: format } : {}),
    ...(thinking ? { reasoning: thinking } : {}),
    ...(typeof request.max_output_tokens === 'number' ? { maxOutputTokens: request.max_output_tokens } : {}),
    ...(typeof request.temperature === 'number' ? { temperature: request.temperature } : {}),
    ...(typeof request.top_p === 'number' ? { topP: request.top_p } : {}),
    stream: request.stream === true,
    ...(user ? { user } : {}),
    ...(request.metadata && Object.keys(request.metadata).length > 0 ? { metadata: request.metadata } : {}),
  };
};

export const peekResponsesRequest = (body: unknown, _route: RouteInfo): { model: string; stream: boolean } => {
  const parsed = responsesPeekSchema().safeParse(body);
  if (!parsed.success) throw invalidResponsesRequest(parsed.error);
  return { model: parsed.data.model, stream: parsed.data.stream === true };
};
