import { invalidRequest, unsupportedFeature } from '../../errors';
import type {
  IrAssistantBlock,
  IrCacheHint,
  IrFileBlock,
  IrImageBlock,
  IrTextBlock,
  IrToolResultBlock,
  IrUserBlock,
} from '../../ir/content';
import { parseToolArguments } from '../shared/tool-arguments';
import { toAnthropicToolId } from './tool-id';

/**
 * IR blocks → Anthropic request blocks. Empty text blocks are dropped (the API rejects them:
 * "text content blocks must be non-empty"); thinking blocks are sent only with an Anthropic-minted
 * signature (foreign or missing ones would be rejected as forged).
 */
export interface AnthropicCacheControlOut {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export type AnthropicTextOut = { type: 'text'; text: string; cache_control?: AnthropicCacheControlOut };
type AnthropicImageOut = {
  type: 'image';
  source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
  cache_control?: AnthropicCacheControlOut;
};
type AnthropicDocumentOut = {
  type: 'document';
  source:
    | { type: 'base64'; media_type: 'application/pdf'; data: string }
    | { type: 'text'; media_type: 'text/plain'; data: string }
    | { type: 'url'; url: string };
  title?: string;
  cache_control?: AnthropicCacheControlOut;
};
type AnthropicToolResultOut = {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | Array<AnthropicTextOut | AnthropicImageOut>;
  is_error?: true;
  cache_control?: AnthropicCacheControlOut;
};
export type AnthropicAssistantOut =
  | AnthropicTextOut
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };
export type AnthropicUserOut = AnthropicTextOut | AnthropicImageOut | AnthropicDocumentOut | AnthropicToolResultOut;
export type AnthropicBlockOut = AnthropicUserOut | AnthropicAssistantOut;

export const encodeAnthropicCache = (cache: IrCacheHint | undefined): { cache_control?: AnthropicCacheControlOut } => {
  if (cache === undefined) return {};
  return { cache_control: cache.ttl === undefined ? { type: 'ephemeral' } : { type: 'ephemeral', ttl: cache.ttl } };
};

export const encodeAnthropicText = (block: IrTextBlock): AnthropicTextOut | undefined =>
  block.text === '' ? undefined : { type: 'text', text: block.text, ...encodeAnthropicCache(block.cache) };

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

const encodeImage = (block: IrImageBlock): AnthropicImageOut => {
  const source = block.source;
  if (source.kind === 'url') return { type: 'image', source: { type: 'url', url: source.url }, ...encodeAnthropicCache(block.cache) };
  const mediaType = source.mediaType.toLowerCase() === 'image/jpg' ? 'image/jpeg' : source.mediaType.toLowerCase();
  if (!IMAGE_TYPES.has(mediaType)) {
    throw unsupportedFeature(`anthropic accepts only image/jpeg, image/png, image/gif and image/webp images (got ${source.mediaType})`);
  }
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data: source.data }, ...encodeAnthropicCache(block.cache) };
};

const base64ToUtf8 = (data: string): string => {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(data), (char) => char.charCodeAt(0)));
  } catch {
    throw invalidRequest('a text/plain file is not valid base64');
  }
};

/** PDFs go as base64 or URL documents, plain text as a text document; other file types have no Anthropic form. */
const encodeFile = (block: IrFileBlock): AnthropicDocumentOut => {
  const source = block.source;
  const extra = { ...(block.filename === undefined ? {} : { title: block.filename }), ...encodeAnthropicCache(block.cache) };
  const mediaType = source.mediaType?.toLowerCase();
  if (source.kind === 'url') {
    if (mediaType !== undefined && mediaType !== 'application/pdf') {
      throw unsupportedFeature(`anthropic accepts only PDF documents by URL (got ${source.mediaType})`);
    }
    return { type: 'document', source: { type: 'url', url: source.url }, ...extra };
  }
  if (mediaType === 'application/pdf') {
    return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: source.data }, ...extra };
  }
  if (mediaType === 'text/plain') {
    return { type: 'document', source: { type: 'text', media_type: 'text/plain', data: base64ToUtf8(source.data) }, ...extra };
  }
  throw unsupportedFeature(`anthropic accepts only PDF and plain-text documents (got ${source.mediaType})`);
};

const encodeToolResult = (block: IrToolResultBlock): AnthropicToolResultOut => {
  const parts: Array<AnthropicTextOut | AnthropicImageOut> = [];
  for (const inner of block.content) {
    const part = inner.type === 'text' ? encodeAnthropicText(inner) : encodeImage(inner);
    if (part !== undefined) parts.push(part);
  }
  const out: AnthropicToolResultOut = { type: 'tool_result', tool_use_id: toAnthropicToolId(block.toolCallId) };
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only !== undefined && only.type === 'text' && only.cache_control === undefined) out.content = only.text;
  else if (parts.length > 0) out.content = parts;
  if (block.isError === true) out.is_error = true;
  return { ...out, ...encodeAnthropicCache(block.cache) };
};

export const encodeAnthropicUserBlock = (block: IrUserBlock): AnthropicUserOut | undefined => {
  switch (block.type) {
    case 'text':
      return encodeAnthropicText(block);
    case 'image':
      return encodeImage(block);
    case 'file':
      return encodeFile(block);
    case 'tool_result':
      return encodeToolResult(block);
  }
};

export const encodeAnthropicAssistantBlock = (block: IrAssistantBlock): AnthropicAssistantOut | undefined => {
  switch (block.type) {
    case 'text':
      return encodeAnthropicText(block);
    case 'thinking':
      return block.signature?.origin === 'anthropic'
        ? { type: 'thinking', thinking: block.text, signature: block.signature.value }
        : undefined;
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: block.data };
    case 'tool_call':
      return { type: 'tool_use', id: toAnthropicToolId(block.id), name: block.name, input: parseToolArguments(block.arguments) };
  }
};
