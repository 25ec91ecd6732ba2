import type { IrAssistantBlock } from '../ir/content';
import type { IrMessage, IrRequest, IrTool } from '../ir/request';
import type { IrResponse } from '../ir/response';
import type { IrStopReason } from '../ir/stop-reason';
import { tokensOfChars } from '../relay/token-estimate';

/**
 * The built-in mock model: deterministic answers computed from the request alone, so a newcomer
 * (and every test) gets the same bytes for the same request with no upstream key.
 * - tools offered, the last user turn is not a tool result, and either tool_choice forces a tool or
 *   the prompt names one (a word of its name: "Weather in Paris?" → get_weather) → a call to that
 *   tool with arguments filled from its JSON Schema. Only named tools: an agent offers a dozen on
 *   every request (Claude Code's first is Agent, which spawns sub-agents that call it again), and a
 *   mock that always called the first one would send it into a loop;
 * - last user turn carries tool results → a text that quotes them;
 * - otherwise → a text that quotes the prompt (the last text block of the last user turn).
 * `max_tokens` is honoured by cutting the text at that many words (stop reason max_tokens).
 */
type UserMessage = Extract<IrMessage, { role: 'user' }>;

const lastUserMessage = (request: IrRequest): UserMessage | undefined =>
  request.messages.findLast((message): message is UserMessage => message.role === 'user');

const textOf = (request: IrRequest): string => {
  const parts: string[] = [];
  for (const block of lastUserMessage(request)?.content ?? []) {
    if (block.type === 'text') parts.push(block.text);
    if (block.type === 'tool_result') parts.push(block.content.map((part) => (part.type === 'text' ? part.text : '[image]')).join(' '));
  }
  return parts.join(' ').trim();
};

const lastUserHasToolResult = (request: IrRequest): boolean => lastUserMessage(request)?.content.some((block) => block.type === 'tool_result') ?? false;

const sampleFor = (schema: unknown, depth = 0): unknown => {
  if (schema === null || typeof schema !== 'object' || depth > 4) return null;
  const node = schema as Record<string, unknown>;
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
  if ('const' in node) return node.const;
  const type: unknown = Array.isArray(node.type) ? (node.type as unknown[]).find((t) => t !== 'null') : node.type;
  switch (type) {
    case 'string':
      return 'mock';
    case 'integer':
    case 'number':
      return typeof node.minimum === 'number' ? node.minimum : 1;
    case 'boolean':
      return true;
    case 'array':
      return [sampleFor(node.items, depth + 1)].filter((item) => item !== null);
    case 'object':
    default: {
      const properties = (node.properties ?? {}) as Record<string, unknown>;
      const required = Array.isArray(node.required) ? (node.required as string[]) : Object.keys(properties);
      const out: Record<string, unknown> = {};
      for (const name of required) if (name in properties) out[name] = sampleFor(properties[name], depth + 1);
      return out;
    }
  }
};

/** The words of a tool name worth matching: get_weather → weather; readFile → read, file. */
const nameWords = (name: string): string[] =>
  name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length >= 4);

/** The user's latest words: the last text block of the last user turn (agents put their reminders before it). */
const latestPrompt = (request: IrRequest): string =>
  lastUserMessage(request)
    ?.content.filter((block) => block.type === 'text')
    .at(-1)?.text ?? '';

const chooseTool = (request: IrRequest): IrTool | undefined => {
  const tools = request.tools ?? [];
  const choice = request.toolChoice;
  if (tools.length === 0 || choice?.type === 'none') return undefined;
  if (choice?.type === 'tool') return tools.find((tool) => tool.name === choice.name);
  if (choice?.type === 'required') return tools[0];
  const said = new Set(latestPrompt(request).toLowerCase().split(/[^a-z0-9]+/));
  return tools.find((tool) => nameWords(tool.name).some((word) => said.has(word)));
};

const estimateTokens = (text: string): number => Math.max(1, tokensOfChars(text.length));

export const mockReply = (request: IrRequest, responseId: string): IrResponse => {
  const inputTokens = estimateTokens(JSON.stringify(request.messages) + JSON.stringify(request.system));
  const tool = lastUserHasToolResult(request) ? undefined : chooseTool(request);
  let content: IrAssistantBlock[];
  let stopReason: IrStopReason = 'end_turn';
  if (tool !== undefined) {
    content = [{ type: 'tool_call', id: `call_mock_${responseId.slice(-8)}_0`, name: tool.name, arguments: JSON.stringify(sampleFor(tool.parameters)) }];
    stopReason = 'tool_use';
  } else {
    const said = (lastUserHasToolResult(request) ? textOf(request) : latestPrompt(request)).slice(0, 200);
    const reply = lastUserHasToolResult(request)
      ? `Mock reply: the tool returned "${said}".`
      : `Mock reply from polyrelay. You said: "${said}"`;
    const words = reply.split(' ');
    const limit = request.maxOutputTokens;
    const kept = limit !== undefined && limit < words.length ? words.slice(0, Math.max(1, limit)) : words;
    if (kept.length < words.length) stopReason = 'max_tokens';
    content = [{ type: 'text', text: kept.join(' ') }];
  }
  const outputTokens = estimateTokens(JSON.stringify(content));
  return {
    id: responseId,
    model: request.model,
    content,
    stopReason,
    usage: { inputTokens, outputTokens, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
  };
};
