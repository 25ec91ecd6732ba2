import type {
  IrAssistantBlock,
  IrFileBlock,
  IrImageBlock,
  IrTextBlock,
  IrThinkingBlock,
  IrToolResultBlock,
  IrUserBlock,
} from '../../ir/content';
import type { IrMessage } from '../../ir/request';
import { unsupportedFeature } from '../../errors';
import { mediaSourceToUrl } from '../shared/data-uri';
import { fitToolCallId } from '../shared/tool-call-id';

/**
 * IR messages → Chat `messages[]` for an OpenAI (or compatible) upstream.
 * - Tool results become one `tool` message each, right after the assistant turn. A tool message can
 *   hold text only, so images from results follow in one extra `user` message.
 * - Reasoning goes back as `reasoning_content` on assistant turns that call tools, the de-facto field
 *   of reasoning servers (DeepSeek, Kimi, vLLM) that answer 400 when a tool-call turn comes back
 *   without it. Only reasoning no other upstream signed is sent: a Chat upstream never signs, so
 *   unsigned thinking is what such a server wrote; signed thinking (Claude, Gemini, Responses) and
 *   redacted thinking are dropped, since strict servers refuse the unknown field.
 * - Tool-call ids longer than OpenAI's 40 characters are shortened the same way on the call and on its
 *   result, so the pair stays matched.
 * - Cache hints are dropped: OpenAI caches prompts automatically, and part-level breakpoints exist only
 *   on the newest models (compatible servers reject the unknown field).
 */
const TOOL_CALL_ID_RULES = { maxLength: 40 };
const upstreamToolCallId = (id: string): string => fitToolCallId(id, TOOL_CALL_ID_RULES);

type OpenAIChatOutPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | { type: 'file'; file: { file_data: string; filename: string } };

interface OpenAIChatOutToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type OpenAIChatOutMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | OpenAIChatOutPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: OpenAIChatOutToolCall[]; reasoning_content?: string }
  | { role: 'tool'; tool_call_id: string; content: string };

/** Several system text blocks are joined: compatible servers do not all accept part arrays here. */
const joinOpenAIChatText = (blocks: readonly IrTextBlock[]): string => blocks.map((block) => block.text).join('\n\n');

const imagePart = (block: IrImageBlock): OpenAIChatOutPart => ({
  type: 'image_url',
  image_url: { url: mediaSourceToUrl(block.source), ...(block.detail ? { detail: block.detail } : {}) },
});

const extensionFor = (mediaType: string): string => {
  const subtype = mediaType.split('/')[1] ?? 'bin';
  return subtype.split(/[+;]/)[0] ?? 'bin';
};

const filePart = (block: IrFileBlock): OpenAIChatOutPart => {
  if (block.source.kind === 'url') {
    throw unsupportedFeature('openai-chat cannot reference a file by URL; send the file inline (base64)');
  }
  return {
    type: 'file',
    file: {
      file_data: mediaSourceToUrl(block.source),
      filename: block.filename ?? `document.${extensionFor(block.source.mediaType)}`,
    },
  };
};

const userPart = (block: Exclude<IrUserBlock, IrToolResultBlock>): OpenAIChatOutPart => {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'image':
      return imagePart(block);
    case 'file':
      return filePart(block);
  }
};

/** A lone text part is sent as a plain string: the most widely accepted shape. */
const userContent = (parts: OpenAIChatOutPart[]): string | OpenAIChatOutPart[] => {
  const [first] = parts;
  return parts.length === 1 && first?.type === 'text' ? first.text : parts;
};

const toolResultText = (result: IrToolResultBlock): string => {
  const text = result.content
    .filter((block): block is IrTextBlock => block.type === 'text')
    .map((block) => block.text)
    .join('\n\n');
  // Chat has no error flag on tool results: say it in the text.
  return result.isError ? `Error: ${text}` : text;
};

const encodeUser = (content: readonly IrUserBlock[]): OpenAIChatOutMessage[] => {
  const out: OpenAIChatOutMessage[] = [];
  const extra: OpenAIChatOutPart[] = [];
  for (const block of content) {
    if (block.type !== 'tool_result') continue;
    out.push({ role: 'tool', tool_call_id: upstreamToolCallId(block.toolCallId), content: toolResultText(block) });
    const images = block.content.filter((item): item is IrImageBlock => item.type === 'image');
    if (images.length > 0) {
      extra.push({ type: 'text', text: `Images returned by tool call ${block.toolCallId}:` });
      extra.push(...images.map(imagePart));
    }
  }
  for (const block of content) {
    if (block.type === 'tool_result') continue;
    if (block.type === 'text' && block.text === '') continue;
    extra.push(userPart(block));
  }
  if (extra.length > 0) out.push({ role: 'user', content: userContent(extra) });
  return out;
};

/** The turn's reasoning text that no upstream signed (a Chat upstream's own `reasoning_content`). */
const unsignedReasoning = (content: readonly IrAssistantBlock[]): string =>
  content
    .filter((block): block is IrThinkingBlock => block.type === 'thinking' && (block.signature === undefined || block.signature.origin === 'openai-chat'))
    .map((block) => block.text)
    .filter((text) => text !== '')
    .join('\n\n');

const encodeAssistant = (content: readonly IrAssistantBlock[]): OpenAIChatOutMessage[] => {
  const text = content
    .filter((block): block is IrTextBlock => block.type === 'text')
    .map((block) => block.text)
    .join('\n\n');
  const toolCalls: OpenAIChatOutToolCall[] = [];
  for (const block of content) {
    if (block.type !== 'tool_call') continue;
    // No-argument calls may carry "" in the IR; OpenAI expects a JSON object string.
    toolCalls.push({
      id: upstreamToolCallId(block.id),
      type: 'function',
      function: { name: block.name, arguments: block.arguments === '' ? '{}' : block.arguments },
    });
  }
  if (toolCalls.length > 0) {
    const reasoning = unsignedReasoning(content);
    return [
      {
        role: 'assistant',
        content: text === '' ? null : text,
        tool_calls: toolCalls,
        ...(reasoning === '' ? {} : { reasoning_content: reasoning }),
      },
    ];
  }
  // An assistant turn that held only thinking has nothing left to send.
  return text === '' ? [] : [{ role: 'assistant', content: text }];
};

export const encodeOpenAIChatMessages = (
  system: readonly IrTextBlock[],
  messages: readonly IrMessage[],
): OpenAIChatOutMessage[] => {
  const out: OpenAIChatOutMessage[] = [];
  const systemText = joinOpenAIChatText(system.filter((block) => block.text !== ''));
  if (systemText !== '') out.push({ role: 'system', content: systemText });
  for (const message of messages) {
    switch (message.role) {
      case 'system': {
        const text = joinOpenAIChatText(message.content.filter((block) => block.text !== ''));
        if (text !== '') out.push({ role: 'system', content: text });
        break;
      }
      case 'user':
        out.push(...encodeUser(message.content));
        break;
      case 'assistant':
        out.push(...encodeAssistant(message.content));
        break;
    }
  }
  return out;
};
