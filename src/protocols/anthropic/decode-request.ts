import { unsupportedFeature } from '../../errors';
import type { IrTextBlock } from '../../ir/content';
import type { IrMessage, IrReasoning, IrRequest, IrResponseFormat, IrTool, IrToolChoice } from '../../ir/request';
import type { RouteInfo } from '../codec';
import { effortForBudget } from '../shared/reasoning-budget';
import { invalidRequestFromZod } from '../shared/zod-issue';
import {
  decodeAnthropicAssistantBlock,
  decodeAnthropicCache,
  decodeAnthropicText,
  decodeAnthropicUserBlock,
  parseAt,
} from './decode-content';
import type { Path } from './decode-content';
import { anthropicCountTokensRequestSchema, anthropicCustomToolSchema, anthropicPeekSchema, anthropicRequestSchema } from './schema';
import type {
  AnthropicMessageParam,
  AnthropicOutputConfig,
  AnthropicRequestBody,
  AnthropicThinkingConfig,
  AnthropicToolChoice,
} from './schema';

/**
 * Client `/v1/messages` (and `/v1/messages/count_tokens`) body → IR, accepting everything Claude
 * Code sends (`role:"system"` messages inside `messages`, `thinking:{type:"adaptive",display:"omitted"}`,
 * `output_config`, `context_management`, `?beta=true`). Fields that only steer Anthropic's own servers
 * (`context_management`, `container`, `service_tier`, `inference_geo`, top-level `cache_control`,
 * `defer_loading`, `eager_input_streaming`) are accepted and not carried; fields whose meaning the
 * IR cannot carry (server tools, MCP servers, server-tool blocks) are refused with a 400.
 */

const textContent = (content: AnthropicMessageParam['content'], path: Path): IrTextBlock[] =>
  typeof content === 'string'
    ? [{ type: 'text', text: content }]
    : content.map((block, index) => decodeAnthropicText(block, [...path, index]));

const decodeMessage = (message: AnthropicMessageParam, index: number): IrMessage => {
  const path = ['messages', index, 'content'];
  const content = message.content;
  switch (message.role) {
    case 'system':
      // Claude Code 2.x sends a system message inside `messages` on its first request.
      return { role: 'system', content: textContent(content, path) };
    case 'user':
      return {
        role: 'user',
        content:
          typeof content === 'string'
            ? [{ type: 'text', text: content }]
            : content.flatMap((block, blockIndex) => decodeAnthropicUserBlock(block, [...path, blockIndex])),
      };
    case 'assistant':
      return {
        role: 'assistant',
        content:
          typeof content === 'string'
            ? [{ type: 'text', text: content }]
            : content.map((block, blockIndex) => decodeAnthropicAssistantBlock(block, [...path, blockIndex])),
      };
  }
};

const decodeSystem = (system: AnthropicRequestBody['system']): IrTextBlock[] => {
  if (system === null || system === undefined) return [];
  if (typeof system === 'string') return system === '' ? [] : [{ type: 'text', text: system }];
  return system.map((block, index) => decodeAnthropicText(block, ['system', index]));
};

/** Custom tools only; versioned Anthropic tools (`web_search_…`, `bash_…`, `text_editor_…`) run on or are typed by Anthropic. */
const decodeTools = (tools: AnthropicRequestBody['tools']): IrTool[] | undefined => {
  if (tools === null || tools === undefined) return undefined;
  return tools.map((tool, index) => {
    if (typeof tool.type === 'string' && tool.type !== 'custom') {
      throw unsupportedFeature(`tools[${index}]: anthropic tool type '${tool.type}' cannot be translated to another format`);
    }
    const parsed = parseAt(anthropicCustomToolSchema, tool, ['tools', index]);
    const ir: IrTool = { name: parsed.name, parameters: parsed.input_schema };
    if (typeof parsed.description === 'string') ir.description = parsed.description;
    if (typeof parsed.strict === 'boolean') ir.strict = parsed.strict;
    const cache = decodeAnthropicCache(parsed.cache_control);
    if (cache !== undefined) ir.cache = cache;
    return ir;
  });
};

const decodeToolChoice = (choice: AnthropicToolChoice): { toolChoice: IrToolChoice; parallelToolCalls?: boolean } => {
  const irChoice: IrToolChoice =
    choice.type === 'auto'
      ? { type: 'auto' }
      : choice.type === 'any'
        ? { type: 'required' }
        : choice.type === 'tool'
          ? { type: 'tool', name: choice.name }
          : { type: 'none' };
  const disable = choice.type === 'none' ? undefined : choice.disable_parallel_tool_use;
  return typeof disable === 'boolean' ? { toolChoice: irChoice, parallelToolCalls: !disable } : { toolChoice: irChoice };
};

/**
 * `thinking` + `output_config.effort` → IR reasoning. A budget also yields the matching effort
 * (`effortForBudget`: ≤1024 low, ≤8192 medium, ≤24576 high, larger xhigh) so effort-only targets have something to send; an explicit effort wins.
 * `display:"omitted"` ⇒ not visible. With thinking disabled the effort is not carried (it would
 * read as "reason at this effort" in formats where effort implies reasoning).
 */
const decodeReasoning = (
  thinking: AnthropicThinkingConfig | null | undefined,
  outputConfig: AnthropicOutputConfig | null | undefined,
): IrReasoning | undefined => {
  const effort = outputConfig?.effort ?? undefined;
  if (thinking === null || thinking === undefined) return effort === undefined ? undefined : { enabled: true, effort };
  switch (thinking.type) {
    case 'disabled':
      return { enabled: false };
    case 'between_tools':
      return effort === undefined ? { enabled: true } : { enabled: true, effort };
    case 'adaptive': {
      const reasoning: IrReasoning = { enabled: true, visible: thinking.display !== 'omitted' };
      if (effort !== undefined) reasoning.effort = effort;
      return reasoning;
    }
    case 'enabled':
      return {
        enabled: true,
        budgetTokens: thinking.budget_tokens,
        effort: effort ?? effortForBudget(thinking.budget_tokens),
        visible: thinking.display !== 'omitted',
      };
  }
};

const decodeResponseFormat = (outputConfig: AnthropicOutputConfig | null | undefined): IrResponseFormat | undefined => {
  const format = outputConfig?.format;
  return format === null || format === undefined ? undefined : { type: 'json_schema', schema: format.schema };
};

export const decodeAnthropicRequest = (body: unknown, route: RouteInfo): IrRequest => {
  const countTokens = route.endpoint === 'count_tokens';
  const result = (countTokens ? anthropicCountTokensRequestSchema : anthropicRequestSchema).safeParse(body);
  if (!result.success) throw invalidRequestFromZod(result.error);
  const parsed: AnthropicRequestBody = result.data;
  if (Array.isArray(parsed.mcp_servers) && parsed.mcp_servers.length > 0) {
    throw unsupportedFeature('mcp_servers: anthropic MCP connectors cannot be translated to another format');
  }

  const request: IrRequest = {
    model: parsed.model,
    system: decodeSystem(parsed.system),
    messages: parsed.messages.map(decodeMessage),
    stream: countTokens ? false : parsed.stream === true,
  };
  const tools = decodeTools(parsed.tools);
  if (tools !== undefined) request.tools = tools;
  if (parsed.tool_choice !== null && parsed.tool_choice !== undefined) Object.assign(request, decodeToolChoice(parsed.tool_choice));
  const reasoning = decodeReasoning(parsed.thinking, parsed.output_config);
  if (reasoning !== undefined) request.reasoning = reasoning;
  const responseFormat = decodeResponseFormat(parsed.output_config);
  if (responseFormat !== undefined) request.responseFormat = responseFormat;
  if (typeof parsed.max_tokens === 'number') request.maxOutputTokens = parsed.max_tokens;
  if (typeof parsed.temperature === 'number') request.temperature = parsed.temperature;
  if (typeof parsed.top_p === 'number') request.topP = parsed.top_p;
  if (typeof parsed.top_k === 'number') request.topK = parsed.top_k;
  if (Array.isArray(parsed.stop_sequences) && parsed.stop_sequences.length > 0) request.stopSequences = parsed.stop_sequences;
  const userId = parsed.metadata?.user_id;
  if (typeof userId === 'string' && userId !== '') request.user = userId;
  return request;
};

/** Model and stream flag only, for same-format passthrough. */
export const peekAnthropicRequest = (body: unknown, route: RouteInfo): { model: string; stream: boolean } => {
  const result = anthropicPeekSchema.safeParse(body);
  if (!result.success) throw invalidRequestFromZod(result.error);
  return { model: result.data.model, stream: route.endpoint === 'count_tokens' ? false : result.data.stream === true };
};
