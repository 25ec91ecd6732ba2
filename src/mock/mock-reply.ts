import type { IrAssistantBlock } from '../ir/content';
import type { IrRequest, IrTool } from '../ir/request';
import type { IrResponse } from '../ir/response';
import type { IrStopReason } from '../ir/stop-reason';

/**
 * The built-in mock model: deterministic answers computed from the request alone, so a newcomer
 * (and every test) gets the same bytes for the same request with no upstream key.
 * - tools offered and the last user turn is not a tool result → a call to the chosen tool with
 *   arguments filled from its JSON Schema;
 * - last user turn carries tool results → a text that quotes them;
 * - otherwise → a text that quotes the last user text.
 * `max_tokens` is honoured by cutting the text at that many words (stop reason max_tokens).
 */
const textOf = (request: IrRequest): string => {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const message = request.messages[i];
    if (message?.role !== 'user') continue;
    const parts: string[] = [];
    for (const block of message.content) {
      if (block.type === 'text') parts.push(block.text);
      if (block.type === 'tool_result') parts.push(block.content.map((part) => (part.type === 'text' ? part.text : '[image]')).join(' '));
    }
    return parts.join(' ').trim();
  }
  return '';
};

const lastUserHasToolResult = (request: IrRequest): boolean => {
  const last = [...request.messages].reverse().find((message) => message.role === 'user');
  return last?.role === 'user' && last.content.some((block) => block.type === 'tool_result');
};

const sampleFor = (schema: unknown, depth = 0): unknown => {
  if (schema === null || typeof schema !== 'object' || depth > 4) return null;
  const node = schema as Record<string, unknown>;
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
  if ('const' in node) return node.const;
  const type = Array.isArray(node.type) ? node.type.find((t) => t !== 'null') : node.type;
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

const chooseTool = (request: IrRequest): IrTool | undefined => {
  const tools = request.tools ?? [];
  const choice = request.toolChoice;
  if (tools.length === 0 || choice?.type === 'none') return undefined;
  if (choice?.type === 'tool') return tools.find((tool) => tool.name === choice.name);
  return tools[0];
};

const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

export const mockReply = (request: IrRequest, responseId: string): IrResponse => {
  const inputTokens = estimateTokens(JSON.stringify(request.messages) + JSON.stringify(request.system));
  const tool = lastUserHasToolResult(request) ? undefined : chooseTool(request);
  let content: IrAssistantBlock[];
  let stopReason: IrStopReason = 'end_turn';
  if (tool !== undefined) {
    content = [{ type: 'tool_call', id: `call_mock_${responseId.slice(-8)}_0`, name: tool.name, arguments: JSON.stringify(sampleFor(tool.parameters)) }];
    stopReason = 'tool_use';
  } else {
    const said = textOf(request).slice(0, 200);
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
