import type { IrRequest, IrResponseFormat, IrTool, IrToolChoice } from '../../ir/request';
import type { EncodedUpstreamRequest, UpstreamTarget } from '../codec';
import { encodeAnthropicCache } from './encode-content';
import type { AnthropicCacheControlOut, AnthropicTextOut } from './encode-content';
import { continuesToolLoopWithoutThinking, encodeAnthropicConversation } from './encode-messages';
import type { AnthropicMessageParamOut, AnthropicTurn } from './encode-messages';
import { planAnthropicThinking } from './encode-thinking';
import type { AnthropicThinkingOut, AnthropicThinkingPlan } from './encode-thinking';
import { capOutputTokens } from '../shared/output-cap';
import type { AnthropicEffort } from './schema';

/**
 * IR request → Anthropic `/v1/messages` body.
 * With thinking on, `temperature` and `top_k` are dropped and `top_p` below 0.95 too (the API
 * rejects them with thinking), and a forced `tool_choice` (`any`/`tool`) is relaxed to `auto`:
 * the relay keeps the reasoning the client asked for rather than the forcing (a relay choice: the
 * API takes one or the other, and dropping the thinking would change what the client gets back).
 * `seed` and the penalties have no Anthropic field and are not sent; IR `metadata` neither (C only
 * takes `metadata.user_id`, which carries IR `user`).
 */
export const ANTHROPIC_MESSAGES_PATH = '/v1/messages';
const ANTHROPIC_COUNT_TOKENS_PATH = '/v1/messages/count_tokens';
/** The API version every request must name; 2023-06-01 is the current (and only live) one. */
const ANTHROPIC_VERSION = '2023-06-01';

export const anthropicAuthHeaders = (apiKey: string): Record<string, string> => ({
  'x-api-key': apiKey,
  'anthropic-version': ANTHROPIC_VERSION,
});

interface AnthropicToolOut {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  strict?: boolean;
  cache_control?: AnthropicCacheControlOut;
}

type AnthropicToolChoiceOut =
  | { type: 'auto' | 'any'; disable_parallel_tool_use?: true }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: true }
  | { type: 'none' };

/** Anthropic wants an object schema; a tool without parameters (or with a bare `{}`) gets one. */
const inputSchema = (parameters: Record<string, unknown>): Record<string, unknown> =>
  parameters.type === undefined ? { type: 'object', ...parameters } : parameters;

const encodeTool = (tool: IrTool): AnthropicToolOut => ({
  name: tool.name,
  ...(tool.description === undefined ? {} : { description: tool.description }),
  input_schema: inputSchema(tool.parameters),
  ...(tool.strict === undefined ? {} : { strict: tool.strict }),
  ...encodeAnthropicCache(tool.cache),
});

const encodeToolChoice = (
  choice: IrToolChoice | undefined,
  parallel: boolean | undefined,
  thinkingOn: boolean,
): AnthropicToolChoiceOut | undefined => {
  if (choice?.type === 'none') return { type: 'none' };
  const noParallel = parallel === false ? { disable_parallel_tool_use: true as const } : {};
  if (choice === undefined || choice.type === 'auto' || thinkingOn) {
    return choice === undefined && parallel !== false ? undefined : { type: 'auto', ...noParallel };
  }
  return choice.type === 'required' ? { type: 'any', ...noParallel } : { type: 'tool', name: choice.name, ...noParallel };
};

type AnthropicFormatOut = { type: 'json_schema'; schema: Record<string, unknown> };

/** JSON mode has no Anthropic switch: an open object schema stands in for it (a relay choice). */
const encodeFormat = (format: IrResponseFormat | undefined): AnthropicFormatOut | undefined => {
  if (format === undefined || format.type === 'text') return undefined;
  return { type: 'json_schema', schema: format.type === 'json_object' ? { type: 'object' } : format.schema };
};

/**
 * The API rejects history with tool_use/tool_result blocks when no tools are defined ("Requests
 * which include `tool_use` or `tool_result` blocks must define tools", BerriAI/litellm#4689), which
 * happens when a client replays a tool loop but offers no tools this turn. The relay declares the
 * tools named in the history with an open schema and `tool_choice:"none"`, so none can be called.
 */
const historyToolStubs = (turns: AnthropicTurn[]): AnthropicToolOut[] => {
  const names = new Set<string>();
  let sawResult = false;
  for (const turn of turns) {
    for (const block of turn.blocks) {
      if (block.type === 'tool_use') names.add(block.name);
      else if (block.type === 'tool_result') sawResult = true;
    }
  }
  if (names.size === 0 && sawResult) names.add('tool');
  return [...names].map((name) => ({ name, input_schema: { type: 'object' } }));
};

export interface AnthropicRequestOut {
  model: string;
  system?: string | AnthropicTextOut[];
  messages: AnthropicMessageParamOut[];
  tools?: AnthropicToolOut[];
  tool_choice?: AnthropicToolChoiceOut;
  max_tokens: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
  stream?: true;
  metadata?: { user_id: string };
  thinking?: AnthropicThinkingOut;
  output_config?: { effort?: AnthropicEffort; format?: AnthropicFormatOut };
}

/**
 * The thinking plan within the model's output ceiling: the client's limit is capped to it, and when
 * the client gave none, the defaults (8192, or budget + room) are held to it as well.
 */
const planWithinCeiling = (request: IrRequest, target: UpstreamTarget): AnthropicThinkingPlan => {
  const plan = planAnthropicThinking(request.reasoning, capOutputTokens(request.maxOutputTokens, target));
  const ceiling = target.profile?.maxOutputTokens ?? null;
  return ceiling !== null && plan.maxTokens > ceiling ? planAnthropicThinking(request.reasoning, ceiling) : plan;
};

const buildAnthropicRequestBody = (request: IrRequest, target: UpstreamTarget): AnthropicRequestOut => {
  const conversation = encodeAnthropicConversation(request);
  const plan = planWithinCeiling(request, target);
  const thinking = plan.thinking !== undefined && !continuesToolLoopWithoutThinking(conversation.turns) ? plan.thinking : undefined;
  const thinkingOn = thinking !== undefined;

  const body: AnthropicRequestOut = { model: target.model, messages: conversation.messages, max_tokens: plan.maxTokens };
  if (conversation.system !== undefined) body.system = conversation.system;
  const tools = request.tools ?? [];
  if (tools.length > 0) {
    body.tools = tools.map(encodeTool);
    const toolChoice = encodeToolChoice(request.toolChoice, request.parallelToolCalls, thinkingOn);
    if (toolChoice !== undefined) body.tool_choice = toolChoice;
  } else {
    const stubs = historyToolStubs(conversation.turns);
    if (stubs.length > 0) {
      body.tools = stubs;
      body.tool_choice = { type: 'none' };
    }
  }
  if (request.temperature !== undefined && !thinkingOn) body.temperature = request.temperature;
  if (request.topP !== undefined && (!thinkingOn || request.topP >= 0.95)) body.top_p = request.topP;
  if (request.topK !== undefined && !thinkingOn) body.top_k = request.topK;
  if (request.stopSequences !== undefined && request.stopSequences.length > 0) body.stop_sequences = request.stopSequences;
  if (target.stream) body.stream = true;
  if (request.user !== undefined && request.user !== '') body.metadata = { user_id: request.user };
  if (thinking !== undefined) body.thinking = thinking;
  const format = encodeFormat(request.responseFormat);
  if (plan.effort !== undefined || format !== undefined) {
    body.output_config = {
      ...(plan.effort === undefined ? {} : { effort: plan.effort }),
      ...(format === undefined ? {} : { format }),
    };
  }
  return body;
};

export const encodeAnthropicRequest = (request: IrRequest, target: UpstreamTarget): EncodedUpstreamRequest => ({
  path: ANTHROPIC_MESSAGES_PATH,
  body: buildAnthropicRequestBody(request, target),
});

/** `count_tokens` takes the prompt-shaping fields only (no max_tokens, stream or sampling). */
export const encodeAnthropicCountTokens = (request: IrRequest, target: UpstreamTarget): EncodedUpstreamRequest => {
  // No max_tokens goes out, so the client's limit must not clamp or cancel the thinking budget.
  const { maxOutputTokens: _limit, ...prompt } = request;
  const full = buildAnthropicRequestBody(prompt, { model: target.model, stream: false });
  const body: Record<string, unknown> = { model: full.model, messages: full.messages };
  if (full.system !== undefined) body.system = full.system;
  if (full.tools !== undefined) body.tools = full.tools;
  if (full.tool_choice !== undefined) body.tool_choice = full.tool_choice;
  if (full.thinking !== undefined) body.thinking = full.thinking;
  if (full.output_config !== undefined) body.output_config = full.output_config;
  return { path: ANTHROPIC_COUNT_TOKENS_PATH, body };
};
