import type {
  IrAssistantBlock,
  IrCacheHint,
  IrFileBlock,
  IrImageBlock,
  IrMediaSource,
  IrTextBlock,
  IrThinkingBlock,
  IrUserBlock,
} from '../../ir/content';
import type { IrMessage } from '../../ir/request';
import { unsupportedFeature } from '../../errors';
import { mediaSourceFromUrl } from '../shared/data-uri';
import { customCallArguments, LOCAL_SHELL_NAME, localShellCallArguments } from './client-tools';
import { decodeReasoningSignature } from './reasoning-signature';
import type { ResponsesContentPart, ResponsesInputItem } from './schema';
import { flattenResponsesToolName } from './tool-names';

/**
 * Responses `input` (+ `instructions`) → IR system prompt and messages. System/developer items
 * before the first conversation item join the system prompt; later ones stay in place as IR system
 * messages. Consecutive assistant-side items (messages, reasoning, function / custom / local_shell
 * calls) form one IR assistant turn, and consecutive tool outputs one IR user turn of tool results.
 */
export interface DecodedResponsesInput {
  system: IrTextBlock[];
  messages: IrMessage[];
}

type Breakpoint = { mode: string; ttl?: string | null } | null | undefined;

/** Responses TTLs are 30m/12h; the IR knows 5m/1h, so only the long one carries over. */
const cacheHint = (breakpoint: Breakpoint): { cache?: IrCacheHint } =>
  breakpoint === null || breakpoint === undefined ? {} : { cache: breakpoint.ttl === '12h' ? { ttl: '1h' } : {} };

const MIME_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
  html: 'text/html',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

/** `file_data` is a data URI in OpenAI's examples, but clients also send bare base64. */
const fileSource = (data: string, filename: string | null | undefined): IrMediaSource => {
  if (data.startsWith('data:')) return mediaSourceFromUrl(data);
  const extension = filename?.split('.').pop()?.toLowerCase() ?? '';
  return { kind: 'base64', mediaType: MIME_BY_EXTENSION[extension] ?? 'application/pdf', data };
};

const imageBlock = (part: Extract<ResponsesContentPart, { type: 'input_image' }>, path: string): IrImageBlock => {
  if (part.image_url === null || part.image_url === undefined || part.image_url === '')
    throw unsupportedFeature(`${path}.image_url: an image needs a URL or data URI to be translated`);
  return {
    type: 'image',
    source: mediaSourceFromUrl(part.image_url),
    ...(part.detail ? { detail: part.detail } : {}),
    ...cacheHint(part.prompt_cache_breakpoint),
  };
};

const fileBlock = (part: Extract<ResponsesContentPart, { type: 'input_file' }>, path: string): IrFileBlock => {
  const source: IrMediaSource | undefined = part.file_data
    ? fileSource(part.file_data, part.filename)
    : part.file_url
      ? { kind: 'url', url: part.file_url }
      : undefined;
  if (source === undefined) throw unsupportedFeature(`${path}: a file needs file_data or file_url to be translated`);
  return {
    type: 'file',
    source,
    ...(part.filename ? { filename: part.filename } : {}),
    ...cacheHint(part.prompt_cache_breakpoint),
  };
};

const textOf = (part: ResponsesContentPart): string | undefined => {
  if (part.type === 'input_text' || part.type === 'output_text') return part.text;
  if (part.type === 'refusal') return part.refusal;
  return undefined;
};

const textBlock = (part: ResponsesContentPart, text: string): IrTextBlock => ({
  type: 'text',
  text,
  ...(part.type === 'input_text' ? cacheHint(part.prompt_cache_breakpoint) : {}),
});

const partsOf = (content: string | ResponsesContentPart[]): ResponsesContentPart[] =>
  typeof content === 'string' ? [{ type: 'input_text', text: content }] : content;

const userBlocks = (content: string | ResponsesContentPart[], path: string): IrUserBlock[] =>
  partsOf(content).map((part, index): IrUserBlock => {
    if (part.type === 'input_image') return imageBlock(part, `${path}[${index}]`);
    if (part.type === 'input_file') return fileBlock(part, `${path}[${index}]`);
    return textBlock(part, textOf(part) ?? '');
  });

const textBlocks = (content: string | ResponsesContentPart[], path: string, role: string): IrTextBlock[] =>
  partsOf(content).map((part, index) => {
    const text = textOf(part);
    if (text === undefined) throw unsupportedFeature(`${path}[${index}]: ${role} messages carry text only`);
    return textBlock(part, text);
  });

type ToolOutput = Extract<ResponsesInputItem, { type: 'function_call_output' }>['output'];

const toolOutputBlocks = (output: ToolOutput, path: string): Array<IrTextBlock | IrImageBlock> => {
  if (typeof output === 'string') return output === '' ? [] : [{ type: 'text', text: output }];
  return output.map((part, index) => {
    if (part.type === 'input_image') return imageBlock(part, `${path}[${index}]`);
    if (part.type === 'input_file') throw unsupportedFeature(`${path}[${index}]: tool outputs carry text and images only`);
    return textBlock(part, part.text);
  });
};

const thinkingBlock = (item: Extract<ResponsesInputItem, { type: 'reasoning' }>): IrThinkingBlock | undefined => {
  const summary = (item.summary ?? []).map((entry) => entry.text).filter((text) => text !== '');
  const content = (item.content ?? []).map((entry) => entry.text).filter((text) => text !== '');
  const text = (summary.length > 0 ? summary : content).join('\n\n');
  const signature = decodeReasoningSignature(item.encrypted_content, item.id);
  if (text === '' && signature === undefined) return undefined;
  return { type: 'thinking', text, ...(signature ? { signature } : {}) };
};

export const decodeResponsesInput = (
  input: string | ResponsesInputItem[],
  instructions: string | null | undefined,
): DecodedResponsesInput => {
  const system: IrTextBlock[] = instructions ? [{ type: 'text', text: instructions }] : [];
  if (typeof input === 'string') return { system, messages: [{ role: 'user', content: [{ type: 'text', text: input }] }] };

  const messages: IrMessage[] = [];
  const callNames = new Map<string, string>();
  let leading = true;

  const assistantTurn = (): IrAssistantBlock[] => {
    const last = messages.at(-1);
    if (last?.role === 'assistant') return last.content;
    const turn: IrMessage = { role: 'assistant', content: [] };
    messages.push(turn);
    return turn.content;
  };

  const toolResultTurn = (): IrUserBlock[] => {
    const last = messages.at(-1);
    if (last?.role === 'user' && last.content.every((block) => block.type === 'tool_result')) return last.content;
    const turn: IrMessage = { role: 'user', content: [] };
    messages.push(turn);
    return turn.content;
  };

  input.forEach((item, index) => {
    const path = `input[${index}]`;
    if (item.type === 'message' && (item.role === 'system' || item.role === 'developer')) {
      const blocks = textBlocks(item.content, `${path}.content`, item.role);
      if (leading) system.push(...blocks);
      else messages.push({ role: 'system', content: blocks });
      return;
    }
    leading = false;
    switch (item.type) {
      case 'message':
        if (item.role === 'user') messages.push({ role: 'user', content: userBlocks(item.content, `${path}.content`) });
        else assistantTurn().push(...textBlocks(item.content, `${path}.content`, 'assistant'));
        return;
      case 'reasoning': {
        const block = thinkingBlock(item);
        if (block !== undefined) assistantTurn().push(block);
        return;
      }
      case 'function_call': {
        const name = flattenResponsesToolName(item.namespace, item.name);
        callNames.set(item.call_id, name);
        assistantTurn().push({ type: 'tool_call', id: item.call_id, name, arguments: item.arguments });
        return;
      }
      case 'custom_tool_call': {
        const name = flattenResponsesToolName(item.namespace, item.name);
        callNames.set(item.call_id, name);
        assistantTurn().push({ type: 'tool_call', id: item.call_id, name, arguments: customCallArguments(item.input) });
        return;
      }
      case 'local_shell_call': {
        // Codex answers a local_shell_call with a function_call_output naming its call_id.
        const id = item.call_id ?? item.id ?? `call_local_shell_${index}`;
        callNames.set(id, LOCAL_SHELL_NAME);
        assistantTurn().push({ type: 'tool_call', id, name: LOCAL_SHELL_NAME, arguments: localShellCallArguments(item.action) });
        return;
      }
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const declared = item.type === 'function_call_output' && item.name ? flattenResponsesToolName(item.namespace, item.name) : undefined;
        const name = declared ?? callNames.get(item.call_id);
        const content = toolOutputBlocks(item.output, `${path}.output`);
        toolResultTurn().push({ type: 'tool_result', toolCallId: item.call_id, ...(name ? { name } : {}), content });
        return;
      }
    }
  });
  return { system, messages };
};
