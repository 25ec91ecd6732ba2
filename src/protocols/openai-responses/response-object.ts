import type { IrRequest, IrTool } from '../../ir/request';
import type { ClientContext } from '../codec';
import { withPrefix } from '../shared/ids';
import { encodeResponsesFormat, encodeResponsesToolChoice } from './encode-request';
import type { ResponsesOutputItem } from './output-items';
import { splitResponsesToolName } from './tool-names';
import type { ResponsesUsage } from './usage';

/**
 * The Response object a client sees, echoing its own request parameters the way OpenAI does (model
 * is the public name the client asked for). `store` is always false and `previous_response_id`
 * null: the relay keeps a translated answer (src/conversations/responses-store.ts, unless the request
 * said `store: false`) only so that a later `previous_response_id` or `item_reference` resolves; it
 * serves no retrieval of a stored response, and the IR carries neither field. `instructions` is null
 * because the IR merged it with leading developer messages.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
type ResponsesStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export interface ResponsesObjectState {
  status: ResponsesStatus;
  output: readonly ResponsesOutputItem[];
  usage: ResponsesUsage | null;
  error?: { code: string; message: string } | null;
  incompleteDetails?: { reason: string } | null;
}

export const responsesResponseId = (upstreamId: string): string => withPrefix('resp_', upstreamId);

type EchoedTool =
  | { type: 'function'; name: string; description: string | null; parameters: Record<string, unknown>; strict: boolean }
  | { type: 'custom'; name: string; description: string | null; format: Record<string, unknown> }
  | { type: 'local_shell' }
  | { type: 'namespace'; name: string; description: string; tools: EchoedTool[] };

const echoTool = (tool: IrTool): EchoedTool => {
  const name = tool.namespace?.member ?? tool.name;
  const description = tool.description ?? null;
  if (tool.declaredAs?.type === 'local_shell') return { type: 'local_shell' };
  if (tool.declaredAs?.type === 'custom') return { type: 'custom', name, description, format: tool.declaredAs.format ?? { type: 'text' } };
  return { type: 'function', name, description, parameters: tool.parameters, strict: tool.strict === true };
};

/** Namespace members are grouped again under their namespace, in first-seen order. */
const echoTools = (tools: readonly IrTool[] | undefined): EchoedTool[] => {
  const out: EchoedTool[] = [];
  const groups = new Map<string, EchoedTool[]>();
  for (const tool of tools ?? []) {
    const member = echoTool(tool);
    if (tool.namespace === undefined) {
      out.push(member);
      continue;
    }
    let group = groups.get(tool.namespace.name);
    if (group === undefined) {
      group = [];
      groups.set(tool.namespace.name, group);
      out.push({ type: 'namespace', name: tool.namespace.name, description: '', tools: group });
    }
    group.push(member);
  }
  return out;
};

const echoToolChoice = (request: IrRequest) => {
  const choice = request.toolChoice;
  if (choice === undefined) return 'auto';
  if (choice.type !== 'tool') return encodeResponsesToolChoice(choice);
  return { type: 'function' as const, name: splitResponsesToolName(choice.name, request.tools).name };
};

const echoReasoning = (request: IrRequest) => ({
  effort: request.reasoning?.effort ?? null,
  summary: request.reasoning?.visible === true ? (request.reasoning.summary ?? 'auto') : null,
});

export const responsesResponseObject = (context: ClientContext, id: string, state: ResponsesObjectState) => {
  const request = context.request;
  return {
    id,
    object: 'response' as const,
    created_at: context.created,
    status: state.status,
    background: false,
    ...(state.status === 'completed' ? { completed_at: Math.floor(Date.now() / 1000) } : {}),
    error: state.error ?? null,
    incomplete_details: state.incompleteDetails ?? null,
    instructions: null,
    max_output_tokens: request.maxOutputTokens ?? null,
    model: request.model,
    output: state.output,
    parallel_tool_calls: request.parallelToolCalls ?? true,
    previous_response_id: null,
    reasoning: echoReasoning(request),
    safety_identifier: request.user ?? null,
    store: false,
    temperature: request.temperature ?? 1,
    text: { format: request.responseFormat ? encodeResponsesFormat(request.responseFormat) : { type: 'text' }, verbosity: 'medium' },
    tool_choice: echoToolChoice(request),
    tools: echoTools(request.tools),
    top_p: request.topP ?? 1,
    truncation: 'disabled',
    usage: state.usage,
    user: null,
    metadata: request.metadata ?? {},
  };
};
