import { invalidRequest } from '../../errors';
import type { IrAssistantBlock, IrMediaSource, IrUserBlock } from '../../ir/content';
import type { IrMessage } from '../../ir/request';
import { parseToolArguments } from '../shared/tool-arguments';
import { geminiCallIdFromIr } from './ids';

/**
 * IR messages → Gemini `contents[]` for an upstream request:
 * - roles user/model; adjacent turns of one role are merged, so all tool results of a step land in
 *   one user content with their functionResponse parts first;
 * - a functionResponse takes its name from the matching call in the history;
 * - `id` goes out only on ids Gemini minted (see ids.ts);
 * - thinking text is never sent back; a Gemini-minted signature goes back as a Part-level
 *   `thoughtSignature` (a sibling of `functionCall`, not inside it: inside, Gemini answers 400
 *   "missing signature") on the part it came from: a thinking block's signature onto the
 *   following functionCall (`fc`) or text (`tx`) part, else a trailing empty text part; foreign
 *   signatures and redacted thinking are dropped, never forged (Gemini cannot decode a Claude
 *   signature, and a placeholder would be rejected);
 * - the first functionCall of each model turn without a signature gets the documented placeholder.
 */
interface GeminiPartOut {
  text?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType: string; fileUri: string };
  functionCall?: { name: string; args: Record<string, unknown>; id?: string };
  functionResponse?: { name: string; response: Record<string, unknown>; id?: string };
  thoughtSignature?: string;
}

export interface GeminiContentOut {
  role: 'user' | 'model';
  parts: GeminiPartOut[];
}

/** Google's documented value for function calls the model did not produce in this conversation. */
export const GEMINI_PLACEHOLDER_SIGNATURE = 'skip_thought_signature_validator';

const MIME_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  txt: 'text/plain',
};

/** fileData needs a MIME type; without one, the URL's extension decides, else the block kind. */
const mimeForUrl = (url: string, fallback: string): string => {
  const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  return (extension !== undefined ? MIME_BY_EXTENSION[extension] : undefined) ?? fallback;
};

const mediaPart = (source: IrMediaSource, fallbackMime: string): GeminiPartOut =>
  source.kind === 'base64'
    ? { inlineData: { mimeType: source.mediaType, data: source.data } }
    : { fileData: { mimeType: source.mediaType ?? mimeForUrl(source.url, fallbackMime), fileUri: source.url } };

const withId = <T extends object>(value: T, irId: string): T & { id?: string } => {
  const native = geminiCallIdFromIr(irId);
  return native === undefined ? value : { ...value, id: native };
};

/** Where each functionResponse part's call stands in the history, for `orderResponses`. */
type CallOrder = { readonly ordinals: ReadonlyMap<string, number>; readonly ofPart: WeakMap<GeminiPartOut, number> };

const encodeUserBlocks = (blocks: readonly IrUserBlock[], callNames: ReadonlyMap<string, string>, order: CallOrder): GeminiPartOut[] => {
  const responses: GeminiPartOut[] = [];
  const others: GeminiPartOut[] = [];
  for (const block of blocks) {
    if (block.type === 'text') {
      if (block.text !== '') others.push({ text: block.text });
    } else if (block.type === 'image') {
      others.push(mediaPart(block.source, 'image/jpeg'));
    } else if (block.type === 'file') {
      others.push(mediaPart(block.source, 'application/pdf'));
    } else {
      const name = callNames.get(block.toolCallId) ?? block.name;
      if (name === undefined) {
        throw invalidRequest(`tool result "${block.toolCallId}" answers no tool call in this conversation`);
      }
      const text = block.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
      const response = block.isError === true ? { error: text } : { output: text };
      const part: GeminiPartOut = { functionResponse: withId({ name, response }, block.toolCallId) };
      const ordinal = order.ordinals.get(block.toolCallId);
      if (ordinal !== undefined) order.ofPart.set(part, ordinal);
      responses.push(part);
      // Images in a result ride next to it: every Gemini model reads user media parts.
      for (const part of block.content) if (part.type === 'image') others.push(mediaPart(part.source, 'image/jpeg'));
    }
  }
  return [...responses, ...others];
};

const encodeModelBlocks = (blocks: readonly IrAssistantBlock[]): GeminiPartOut[] => {
  const parts: GeminiPartOut[] = [];
  let forCall: string | undefined;
  let forText: string | undefined;
  const flush = (signature: string | undefined) => {
    if (signature !== undefined) parts.push({ text: '', thoughtSignature: signature });
  };
  for (const block of blocks) {
    if (block.type === 'thinking') {
      if (block.signature?.origin !== 'gemini') continue;
      if (block.signature.placement === 'tx') {
        flush(forText);
        forText = block.signature.value;
      } else {
        flush(forCall);
        forCall = block.signature.value;
      }
    } else if (block.type === 'text') {
      if (block.text === '' && forText === undefined) continue;
      parts.push(forText === undefined ? { text: block.text } : { text: block.text, thoughtSignature: forText });
      forText = undefined;
    } else if (block.type === 'tool_call') {
      const own = block.signature?.origin === 'gemini' ? block.signature.value : undefined;
      if (own !== undefined && forCall !== undefined && own !== forCall) flush(forCall);
      const signature = own ?? forCall;
      forCall = undefined;
      const functionCall = withId({ name: block.name, args: parseToolArguments(block.arguments) }, block.id);
      parts.push(signature === undefined ? { functionCall } : { functionCall, thoughtSignature: signature });
    }
  }
  flush(forCall);
  flush(forText);
  return parts;
};

const mergeAdjacent = (contents: GeminiContentOut[]): GeminiContentOut[] => {
  const merged: GeminiContentOut[] = [];
  for (const content of contents) {
    const previous = merged[merged.length - 1];
    if (previous?.role !== content.role) {
      merged.push(content);
    } else if (content.role === 'user') {
      // Keep the merged turn's functionResponse parts together, ahead of its other parts.
      const all = [...previous.parts, ...content.parts];
      previous.parts = [...all.filter((part) => part.functionResponse), ...all.filter((part) => !part.functionResponse)];
    } else {
      previous.parts.push(...content.parts);
    }
  }
  return merged;
};

/**
 * Gemini pairs parallel function responses with their calls by position: responses sent in another
 * order than the calls (clients run tools concurrently and report them as they finish) get answers
 * attributed to the wrong call. Each turn's responses are put in the order of their calls; a
 * response whose call is not in the history keeps its place after the others.
 */
const orderResponses = (contents: GeminiContentOut[], order: CallOrder): void => {
  const rank = (part: GeminiPartOut): number => order.ofPart.get(part) ?? Number.MAX_SAFE_INTEGER;
  for (const content of contents) {
    if (content.role !== 'user') continue;
    const responses = content.parts.filter((part) => part.functionResponse !== undefined);
    if (responses.length < 2) continue;
    // Array sort is stable, so unknown calls keep their relative order.
    const sorted = [...responses].sort((a, b) => rank(a) - rank(b));
    content.parts = [...sorted, ...content.parts.filter((part) => part.functionResponse === undefined)];
  }
};

/**
 * Gemini 3 rejects a step whose first functionCall has no signature; Google documents a placeholder
 * for history it did not produce.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
const placeholderSignatures = (contents: GeminiContentOut[]): void => {
  for (const content of contents) {
    if (content.role !== 'model') continue;
    const first = content.parts.find((part) => part.functionCall !== undefined);
    if (first !== undefined && first.thoughtSignature === undefined) first.thoughtSignature = GEMINI_PLACEHOLDER_SIGNATURE;
  }
};

export const encodeGeminiContents = (messages: readonly IrMessage[]): GeminiContentOut[] => {
  const callNames = new Map<string, string>();
  const ordinals = new Map<string, number>();
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    for (const block of message.content) {
      if (block.type !== 'tool_call') continue;
      callNames.set(block.id, block.name);
      ordinals.set(block.id, ordinals.size);
    }
  }
  const order: CallOrder = { ordinals, ofPart: new WeakMap() };
  const contents: GeminiContentOut[] = [];
  for (const message of messages) {
    if (message.role === 'system') continue;
    const parts = message.role === 'user' ? encodeUserBlocks(message.content, callNames, order) : encodeModelBlocks(message.content);
    if (parts.length > 0) contents.push({ role: message.role === 'user' ? 'user' : 'model', parts });
  }
  const merged = mergeAdjacent(contents);
  orderResponses(merged, order);
  placeholderSignatures(merged);
  return merged;
};
