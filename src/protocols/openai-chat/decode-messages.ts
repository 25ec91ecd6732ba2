import type {
  IrAssistantBlock,
  IrCacheHint,
  IrFileBlock,
  IrImageBlock,
  IrTextBlock,
  IrToolResultBlock,
  IrUserBlock,
} from '../../ir/content';
import type { IrMessage } from '../../ir/request';
import { unsupportedFeature } from '../../errors';
import { mediaSourceFromUrl } from '../shared/data-uri';
import { openAIChatCacheHint } from './cache-hint';
import type { OpenAIChatCacheFields } from './cache-hint';
import type { OpenAIChatMessage, OpenAIChatTextPart, OpenAIChatUserPart } from './schema';

/**
 * Chat `messages[]` → IR system prompt + IR messages.
 * - Leading system/developer messages form `IrRequest.system`; later ones stay in place as IR
 *   `system` messages (Claude Code and OpenAI clients both put them mid-conversation).
 * - Consecutive `tool` (and legacy `function`) messages become the tool_result blocks of ONE IR user
 *   message: Anthropic and Gemini need all results of a turn together.
 * - Empty text never becomes a block (Anthropic rejects empty text blocks, and agents send
 *   `content: ""` on tool-call-only assistant turns).
 */
export interface DecodedOpenAIChatMessages {
  system: IrTextBlock[];
  messages: IrMessage[];
}

type AnyTextPart = Pick<OpenAIChatTextPart, 'text'> & OpenAIChatCacheFields;

const textBlock = (part: AnyTextPart): IrTextBlock | undefined => {
  if (part.text === '') return undefined;
  return { type: 'text', text: part.text, ...openAIChatCacheHint(part) };
};

const textBlocks = (content: string | AnyTextPart[]): IrTextBlock[] => {
  const parts = typeof content === 'string' ? [{ text: content }] : content;
  return parts.map(textBlock).filter((block): block is IrTextBlock => block !== undefined);
};

const imageBlock = (image: { url: string; detail?: IrImageBlock['detail'] | null }, cache: { cache?: IrCacheHint }): IrImageBlock => ({
  type: 'image',
  source: mediaSourceFromUrl(image.url),
  ...(image.detail ? { detail: image.detail } : {}),
  ...cache,
});

const fileBlock = (
  file: { file_data?: string | null; file_id?: string | null; filename?: string | null },
  path: string,
  cache: { cache?: IrCacheHint },
): IrFileBlock => {
  if (!file.file_data) {
    throw unsupportedFeature(`${path}: files referenced by file_id cannot be translated; send file_data instead`);
  }
  // file_data should be a data URI; bare base64 is read as a PDF, the only type OpenAI documents here.
  const source = file.file_data.startsWith('data:')
    ? mediaSourceFromUrl(file.file_data)
    : { kind: 'base64' as const, mediaType: 'application/pdf', data: file.file_data };
  return {
    type: 'file',
    source,
    ...(file.filename ? { filename: file.filename } : {}),
    ...cache,
  };
};

const userBlock = (part: OpenAIChatUserPart, path: string): IrUserBlock | undefined => {
  switch (part.type) {
    case 'text':
      return textBlock(part);
    case 'image_url':
      return imageBlock(part.image_url, openAIChatCacheHint(part));
    case 'file':
      return fileBlock(part.file, path, openAIChatCacheHint(part));
    case 'input_audio':
      throw unsupportedFeature(`${path}: input_audio parts cannot be translated to the upstream format`);
  }
};

const argumentsText = (value: string | Record<string, unknown> | null | undefined): string =>
  value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);

type AssistantMessage = Extract<OpenAIChatMessage, { role: 'assistant' }>;
type ToolMessage = Extract<OpenAIChatMessage, { role: 'tool' }>;

/** State carried across messages: tool names by call id, and legacy function calls awaiting results. */
interface DecodeState {
  toolNames: Map<string, string>;
  pendingLegacyCalls: Array<{ id: string; name: string }>;
  legacyCount: number;
}

const assistantBlocks = (message: AssistantMessage, path: string, state: DecodeState): IrAssistantBlock[] => {
  const blocks: IrAssistantBlock[] = [];
  if (message.reasoning_content) blocks.push({ type: 'thinking', text: message.reasoning_content });
  const content = message.content;
  if (typeof content === 'string') {
    if (content !== '') blocks.push({ type: 'text', text: content });
  } else if (content) {
    for (const part of content) {
      const text = part.type === 'text' ? part.text : part.refusal;
      if (text !== '') blocks.push({ type: 'text', text });
    }
  }
  const hasRefusalPart = Array.isArray(content) && content.some((part) => part.type === 'refusal');
  if (message.refusal && !hasRefusalPart) blocks.push({ type: 'text', text: message.refusal });
  if (message.audio) throw unsupportedFeature(`${path}.audio: assistant audio references cannot be translated`);

  (message.tool_calls ?? []).forEach((call, index) => {
    if (call.type === 'custom') {
      throw unsupportedFeature(`${path}.tool_calls[${index}]: custom tool calls cannot be translated`);
    }
    state.toolNames.set(call.id, call.function.name);
    blocks.push({ type: 'tool_call', id: call.id, name: call.function.name, arguments: argumentsText(call.function.arguments) });
  });
  if (message.function_call) {
    // Legacy function calls carry no id: mint one so the matching `function` message can pair with it.
    const id = `call_legacy_${state.legacyCount++}`;
    const name = message.function_call.name;
    state.toolNames.set(id, name);
    state.pendingLegacyCalls.push({ id, name });
    blocks.push({ type: 'tool_call', id, name, arguments: argumentsText(message.function_call.arguments) });
  }
  return blocks;
};

const toolResultContent = (content: ToolMessage['content']): Array<IrTextBlock | IrImageBlock> => {
  if (typeof content === 'string') return textBlocks(content);
  const blocks: Array<IrTextBlock | IrImageBlock> = [];
  for (const part of content) {
    const block = part.type === 'text' ? textBlock(part) : imageBlock(part.image_url, openAIChatCacheHint(part));
    if (block) blocks.push(block);
  }
  return blocks;
};

const legacyResultId = (name: string, state: DecodeState): string => {
  const position = state.pendingLegacyCalls.findIndex((call) => call.name === name);
  if (position === -1) return `call_legacy_${name}`;
  const [call] = state.pendingLegacyCalls.splice(position, 1);
  return call?.id ?? `call_legacy_${name}`;
};

export const decodeOpenAIChatMessages = (messages: readonly OpenAIChatMessage[]): DecodedOpenAIChatMessages => {
  const system: IrTextBlock[] = [];
  const out: IrMessage[] = [];
  const state: DecodeState = { toolNames: new Map(), pendingLegacyCalls: [], legacyCount: 0 };
  let leading = true;
  let toolTurn: IrToolResultBlock[] | undefined;

  messages.forEach((message, index) => {
    const path = `messages[${index}]`;
    if (message.role !== 'tool' && message.role !== 'function') toolTurn = undefined;
    switch (message.role) {
      case 'system':
      case 'developer': {
        const blocks = textBlocks(message.content);
        if (leading) system.push(...blocks);
        else if (blocks.length > 0) out.push({ role: 'system', content: blocks });
        return;
      }
      case 'user': {
        leading = false;
        const content =
          typeof message.content === 'string'
            ? textBlocks(message.content)
            : message.content
                .map((part, partIndex) => userBlock(part, `${path}.content[${partIndex}]`))
                .filter((block): block is IrUserBlock => block !== undefined);
        if (content.length > 0) out.push({ role: 'user', content });
        return;
      }
      case 'assistant': {
        leading = false;
        const content = assistantBlocks(message, path, state);
        if (content.length > 0) out.push({ role: 'assistant', content });
        return;
      }
      case 'tool':
      case 'function': {
        leading = false;
        const result: IrToolResultBlock =
          message.role === 'tool'
            ? { type: 'tool_result', toolCallId: message.tool_call_id, content: toolResultContent(message.content) }
            : {
                type: 'tool_result',
                toolCallId: legacyResultId(message.name, state),
                content: textBlocks(message.content ?? ''),
              };
        const name = message.role === 'function' ? message.name : state.toolNames.get(result.toolCallId);
        if (name !== undefined) result.name = name;
        if (toolTurn) {
          toolTurn.push(result);
        } else {
          toolTurn = [result];
          out.push({ role: 'user', content: toolTurn });
        }
        return;
      }
    }
  });
  return { system, messages: out };
};
