import type * as z from 'zod/mini';
import { $ZodError } from 'zod/v4/core';
import { invalidRequest, unsupportedFeature } from '../../errors';
import type { RelayError } from '../../errors';
import type {
  IrAssistantBlock,
  IrCacheHint,
  IrFileBlock,
  IrImageBlock,
  IrTextBlock,
  IrToolResultBlock,
  IrUserBlock,
} from '../../ir/content';
import { unwrapSignature } from '../signature';
import { formatIssuePath, invalidRequestFromZod } from '../shared/zod-issue';
import { stringifyToolArguments } from '../shared/tool-arguments';
import {
  anthropicDocumentBlockSchema,
  anthropicImageBlockSchema,
  anthropicRedactedThinkingBlockSchema,
  anthropicTextBlockSchema,
  anthropicThinkingBlockSchema,
  anthropicToolResultBlockSchema,
  anthropicToolUseBlockSchema,
} from './schema';
import type { AnthropicAnyBlock, AnthropicCacheControl } from './schema';

/**
 * Client content blocks → IR blocks. Each block is parsed with its own schema so errors name the
 * exact field ("messages[2].content[0].source: …"). Blocks the IR cannot carry (server-tool blocks,
 * search results, file ids) are refused with unsupported_feature, never dropped.
 */
export type Path = readonly PropertyKey[];

export const parseAt = <T extends z.ZodMiniType>(schema: T, value: unknown, path: Path): z.output<T> => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidRequestFromZod(
    new $ZodError(result.error.issues.map((issue) => ({ ...issue, path: [...path, ...issue.path] }))),
  );
};

const at = (path: Path): string => formatIssuePath(path);

export const decodeAnthropicCache = (cache: AnthropicCacheControl | null | undefined): IrCacheHint | undefined => {
  if (cache === null || cache === undefined) return undefined;
  return cache.ttl === null || cache.ttl === undefined ? {} : { ttl: cache.ttl };
};

const withCache = <T extends object>(block: T, cache: AnthropicCacheControl | null | undefined): T & { cache?: IrCacheHint } => {
  const hint = decodeAnthropicCache(cache);
  return hint === undefined ? block : { ...block, cache: hint };
};

/** Citations on history text are provenance metadata the IR has no field for; the text is kept. */
export const decodeAnthropicText = (block: unknown, path: Path): IrTextBlock => {
  const parsed = parseAt(anthropicTextBlockSchema, block, path);
  return withCache({ type: 'text', text: parsed.text }, parsed.cache_control);
};

const decodeImage = (block: unknown, path: Path): IrImageBlock => {
  const parsed = parseAt(anthropicImageBlockSchema, block, path);
  const source = parsed.source;
  if (source.type === 'file') throw unsupportedFeature(`${at([...path, 'source'])}: Files API image ids cannot be translated`);
  const irSource =
    source.type === 'base64'
      ? { kind: 'base64' as const, mediaType: source.media_type, data: source.data }
      : { kind: 'url' as const, url: source.url };
  return withCache({ type: 'image', source: irSource }, parsed.cache_control);
};

const utf8ToBase64 = (text: string): string => {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
};

/** A document; its optional `context` note becomes a text block in front so the model still reads it. */
const decodeDocument = (block: unknown, path: Path): IrUserBlock[] => {
  const parsed = parseAt(anthropicDocumentBlockSchema, block, path);
  const source = parsed.source;
  if (parsed.citations?.enabled === true) {
    throw unsupportedFeature(`${at([...path, 'citations'])}: document citations cannot be translated`);
  }
  if (source.type === 'file') throw unsupportedFeature(`${at([...path, 'source'])}: Files API document ids cannot be translated`);
  if (source.type === 'content') throw unsupportedFeature(`${at([...path, 'source'])}: custom-content documents cannot be translated`);
  const irSource =
    source.type === 'base64'
      ? { kind: 'base64' as const, mediaType: source.media_type, data: source.data }
      : source.type === 'text'
        ? { kind: 'base64' as const, mediaType: source.media_type ?? 'text/plain', data: utf8ToBase64(source.data) }
        : { kind: 'url' as const, url: source.url, mediaType: 'application/pdf' };
  const file: IrFileBlock = withCache({ type: 'file', source: irSource }, parsed.cache_control);
  if (typeof parsed.title === 'string' && parsed.title !== '') file.filename = parsed.title;
  const context = parsed.context;
  return typeof context === 'string' && context !== '' ? [{ type: 'text', text: context }, file] : [file];
};

const decodeToolResult = (block: unknown, path: Path): IrToolResultBlock => {
  const parsed = parseAt(anthropicToolResultBlockSchema, block, path);
  const content: Array<IrTextBlock | IrImageBlock> = [];
  if (typeof parsed.content === 'string') {
    content.push({ type: 'text', text: parsed.content });
  } else if (Array.isArray(parsed.content)) {
    parsed.content.forEach((inner, index) => {
      const innerPath = [...path, 'content', index];
      if (inner.type === 'text') content.push(decodeAnthropicText(inner, innerPath));
      else if (inner.type === 'image') content.push(decodeImage(inner, innerPath));
      else throw unsupportedFeature(`${at(innerPath)}: '${inner.type}' blocks inside tool_result cannot be translated`);
    });
  }
  const result: IrToolResultBlock = withCache({ type: 'tool_result', toolCallId: parsed.tool_use_id, content }, parsed.cache_control);
  if (parsed.is_error === true) result.isError = true;
  return result;
};

const ASSISTANT_ONLY = new Set(['thinking', 'redacted_thinking', 'tool_use']);
const USER_ONLY = new Set(['image', 'document', 'tool_result']);

const untranslatable = (block: AnthropicAnyBlock, path: Path): RelayError =>
  unsupportedFeature(`${at(path)}: anthropic '${block.type}' blocks cannot be translated to another format`);

export const decodeAnthropicUserBlock = (block: AnthropicAnyBlock, path: Path): IrUserBlock[] => {
  switch (block.type) {
    case 'text':
      return [decodeAnthropicText(block, path)];
    case 'image':
      return [decodeImage(block, path)];
    case 'document':
      return decodeDocument(block, path);
    case 'tool_result':
      return [decodeToolResult(block, path)];
    default:
      if (ASSISTANT_ONLY.has(block.type)) {
        throw invalidRequest(`${at(path)}: '${block.type}' blocks belong in assistant messages`, at(path));
      }
      throw untranslatable(block, path);
  }
};

export const decodeAnthropicAssistantBlock = (block: AnthropicAnyBlock, path: Path): IrAssistantBlock => {
  switch (block.type) {
    case 'text':
      return decodeAnthropicText(block, path);
    case 'thinking': {
      const parsed = parseAt(anthropicThinkingBlockSchema, block, path);
      const signature = unwrapSignature(parsed.signature, 'anthropic');
      return signature === undefined ? { type: 'thinking', text: parsed.thinking } : { type: 'thinking', text: parsed.thinking, signature };
    }
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: parseAt(anthropicRedactedThinkingBlockSchema, block, path).data };
    case 'tool_use': {
      const parsed = parseAt(anthropicToolUseBlockSchema, block, path);
      return { type: 'tool_call', id: parsed.id, name: parsed.name, arguments: stringifyToolArguments(parsed.input) };
    }
    default:
      if (USER_ONLY.has(block.type)) {
        throw invalidRequest(`${at(path)}: '${block.type}' blocks belong in user messages`, at(path));
      }
      throw untranslatable(block, path);
  }
};
