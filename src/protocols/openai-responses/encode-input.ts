import type { IrAssistantBlock, IrFileBlock, IrImageBlock, IrToolResultBlock, IrUserBlock } from '../../ir/content';
import type { IrMessage } from '../../ir/request';
import { mediaSourceToUrl } from '../shared/data-uri';
import { fitResponsesCallId } from './tool-names';

/**
 * IR messages → Responses `input` items. System messages in the conversation become `developer`
 * items in place. Thinking goes back only as the reasoning item a Responses upstream minted itself
 * (its `encrypted_content`); foreign or unsigned thinking and Anthropic redacted thinking are dropped,
 * never forged. A tool error has no flag here, so its output is prefixed with "Error: ".
 * Cache hints are not sent: OpenAI caches prefixes on its own, and `prompt_cache_breakpoint` is
 * refused by models before gpt-5.6.
 */
type InputPart =
  | { type: 'input_text'; text: string }
  | { type: 'input_image'; image_url: string; detail: string }
  | { type: 'input_file'; file_data?: string; file_url?: string; filename?: string };

export type ResponsesInputItemOut =
  | { type: 'message'; role: 'user' | 'developer'; content: InputPart[] }
  | { type: 'message'; role: 'assistant'; content: Array<{ type: 'output_text'; text: string; annotations: [] }> }
  | { type: 'reasoning'; id?: string; summary: Array<{ type: 'summary_text'; text: string }>; encrypted_content: string }
  | { type: 'function_call'; call_id: string; name: string; arguments: string }
  | { type: 'function_call_output'; call_id: string; output: string | InputPart[] };

const DEFAULT_FILENAMES: Record<string, string> = { 'application/pdf': 'document.pdf', 'text/plain': 'document.txt' };

const imagePart = (block: IrImageBlock): InputPart => ({
  type: 'input_image',
  image_url: mediaSourceToUrl(block.source),
  detail: block.detail ?? 'auto',
});

const filePart = (block: IrFileBlock): InputPart => {
  if (block.source.kind === 'url')
    return { type: 'input_file', file_url: block.source.url, ...(block.filename ? { filename: block.filename } : {}) };
  // OpenAI needs a filename with file_data to know the file type.
  const filename = block.filename ?? DEFAULT_FILENAMES[block.source.mediaType] ?? 'file';
  return { type: 'input_file', file_data: mediaSourceToUrl(block.source), filename };
};

const userPart = (block: Exclude<IrUserBlock, IrToolResultBlock>): InputPart => {
  if (block.type === 'image') return imagePart(block);
  if (block.type === 'file') return filePart(block);
  return { type: 'input_text', text: block.text };
};

/** All-text results travel as one string, which every Responses-compatible server reads. */
const toolOutput = (block: IrToolResultBlock): string | InputPart[] => {
  const prefix = block.isError === true ? 'Error: ' : '';
  const texts = block.content.flatMap((part) => (part.type === 'text' ? [part.text] : []));
  if (texts.length === block.content.length) return prefix + texts.join('\n');
  const parts = block.content.map(userPart);
  return prefix === '' ? parts : [{ type: 'input_text', text: prefix.trim() }, ...parts];
};

const encodeUser = (content: IrUserBlock[], out: ResponsesInputItemOut[]): void => {
  let parts: InputPart[] = [];
  const flush = () => {
    if (parts.length > 0) out.push({ type: 'message', role: 'user', content: parts });
    parts = [];
  };
  for (const block of content) {
    if (block.type !== 'tool_result') {
      parts.push(userPart(block));
      continue;
    }
    flush();
    out.push({ type: 'function_call_output', call_id: fitResponsesCallId(block.toolCallId), output: toolOutput(block) });
  }
  flush();
};

const encodeAssistant = (content: IrAssistantBlock[], out: ResponsesInputItemOut[]): void => {
  let texts: Array<{ type: 'output_text'; text: string; annotations: [] }> = [];
  const flush = () => {
    if (texts.length > 0) out.push({ type: 'message', role: 'assistant', content: texts });
    texts = [];
  };
  for (const block of content) {
    switch (block.type) {
      case 'text':
        if (block.text !== '') texts.push({ type: 'output_text', text: block.text, annotations: [] });
        break;
      case 'thinking':
        if (block.signature?.origin !== 'openai-responses') break;
        flush();
        out.push({
          type: 'reasoning',
          ...(block.signature.itemId ? { id: block.signature.itemId } : {}),
          summary: block.text === '' ? [] : [{ type: 'summary_text', text: block.text }],
          encrypted_content: block.signature.value,
        });
        break;
      case 'redacted_thinking':
        break;
      case 'tool_call':
        flush();
        out.push({
          type: 'function_call',
          call_id: fitResponsesCallId(block.id),
          name: block.name,
          arguments: block.arguments === '' ? '{}' : block.arguments,
        });
        break;
    }
  }
  flush();
};

export const encodeResponsesInput = (messages: readonly IrMessage[]): ResponsesInputItemOut[] => {
  const out: ResponsesInputItemOut[] = [];
  for (const message of messages) {
    if (message.role === 'system') {
      out.push({ type: 'message', role: 'developer', content: message.content.map((block) => ({ type: 'input_text', text: block.text })) });
    } else if (message.role === 'user') encodeUser(message.content, out);
    else encodeAssistant(message.content, out);
  }
  return out;
};
