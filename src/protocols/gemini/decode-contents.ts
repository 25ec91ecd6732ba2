import { invalidRequest, unsupportedFeature } from '../../errors';
import type {
  IrAssistantBlock,
  IrImageBlock,
  IrMediaSource,
  IrSignature,
  IrTextBlock,
  IrToolResultBlock,
  IrUserBlock,
} from '../../ir/content';
import type { IrMessage } from '../../ir/request';
import { unwrapSignature } from '../signature';
import { stringifyToolArguments } from '../shared/tool-arguments';
import { mintGeminiHistoryCallId } from './ids';
import type { GeminiContent, GeminiRequestPart } from './schema';

/**
 * Client `contents[]` → IR messages. Gemini history may carry no call ids: a call without one gets
 * an id from its position, and each functionResponse is paired with the earliest unanswered call of
 * the same name (the order Gemini itself relies on), so tool_result.toolCallId always matches.
 */
interface OpenCall {
  id: string;
  name: string;
}

/** Part kinds the IR cannot carry (server-side tools). */
const UNSUPPORTED_PARTS = ['executableCode', 'codeExecutionResult', 'toolCall', 'toolResponse'] as const;

const IMAGE_EXTENSION = /\.(png|jpe?g|gif|webp|heic|heif)(?:[?#]|$)/i;

const isImage = (mimeType: string | null | undefined, uri?: string): boolean =>
  mimeType !== null && mimeType !== undefined ? mimeType.startsWith('image/') : uri !== undefined && IMAGE_EXTENSION.test(uri);

const signatureFrom = (value: string | null | undefined, placement: 'fc' | 'tx'): IrSignature | undefined => {
  const signature = unwrapSignature(value, 'gemini');
  if (signature === undefined) return undefined;
  return signature.origin === 'gemini' && signature.placement === undefined ? { ...signature, placement } : signature;
};

type MediaPart = Pick<GeminiRequestPart, 'inlineData' | 'fileData'>;

const mediaBlock = (part: MediaPart, where: string): IrUserBlock | undefined => {
  if (part.inlineData) {
    const source: IrMediaSource = { kind: 'base64', mediaType: part.inlineData.mimeType, data: part.inlineData.data };
    return isImage(part.inlineData.mimeType) ? { type: 'image', source } : { type: 'file', source };
  }
  if (part.fileData) {
    const { fileUri, mimeType } = part.fileData;
    if (fileUri === '') throw invalidRequest(`${where}.fileData.fileUri: Required`, `${where}.fileData.fileUri`);
    const source: IrMediaSource =
      mimeType === null || mimeType === undefined ? { kind: 'url', url: fileUri } : { kind: 'url', url: fileUri, mediaType: mimeType };
    return isImage(mimeType, fileUri) ? { type: 'image', source } : { type: 'file', source };
  }
  return undefined;
};

const checkSupported = (part: GeminiRequestPart, where: string): void => {
  for (const key of UNSUPPORTED_PARTS) {
    if (part[key] !== undefined && part[key] !== null) throw unsupportedFeature(`${where}.${key}: Gemini code execution and server-side tool parts cannot be relayed`);
  }
};

const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');

/** `response.error` / `response.output` / the whole object, as the API reads them. */
const resultText = (response: Record<string, unknown> | null | undefined): { text: string; isError: boolean } => {
  if (response === null || response === undefined) return { text: '', isError: false };
  if (response.error !== undefined && response.error !== null) return { text: asText(response.error), isError: true };
  if ('output' in response) return { text: asText(response.output), isError: false };
  return { text: JSON.stringify(response), isError: false };
};

const decodeModelParts = (parts: readonly GeminiRequestPart[], turn: number, open: OpenCall[]): IrAssistantBlock[] => {
  const blocks: IrAssistantBlock[] = [];
  parts.forEach((part, index) => {
    const where = `contents[${turn}].parts[${index}]`;
    checkSupported(part, where);
    if (part.functionResponse) throw invalidRequest(`${where}.functionResponse: only allowed in user turns`, `${where}.functionResponse`);
    if (part.inlineData || part.fileData) throw unsupportedFeature(`${where}: media in model turns cannot be relayed`);
    if (part.functionCall) {
      const call = part.functionCall;
      const id = call.id !== null && call.id !== undefined && call.id !== '' ? call.id : mintGeminiHistoryCallId(turn, index);
      const signature = signatureFrom(part.thoughtSignature, 'fc');
      blocks.push({
        type: 'tool_call',
        id,
        name: call.name,
        arguments: stringifyToolArguments(call.args ?? {}),
        ...(signature === undefined ? {} : { signature }),
      });
      open.push({ id, name: call.name });
      return;
    }
    const text = part.text ?? '';
    const signature = signatureFrom(part.thoughtSignature, 'tx');
    if (part.thought === true) {
      const previous = blocks[blocks.length - 1];
      // Consecutive thought parts are one thinking block (a streamed thought arrives in pieces).
      if (previous?.type === 'thinking' && previous.signature === undefined) previous.text += text;
      else blocks.push({ type: 'thinking', text });
      const current = blocks[blocks.length - 1];
      if (signature !== undefined && current?.type === 'thinking') current.signature = signature;
      return;
    }
    // A signature on a visible text part (`thought` not set) is reasoning state, not thinking text:
    // the text stays a text block and the signature gets an empty thinking block to ride back in.
    if (signature !== undefined) blocks.push({ type: 'thinking', text: '', signature });
    if (text !== '') blocks.push({ type: 'text', text });
  });
  return blocks;
};

const toolResultMedia = (part: MediaPart, where: string): IrImageBlock => {
  const block = mediaBlock(part, where);
  if (block?.type !== 'image') throw unsupportedFeature(`${where}: only images can be relayed inside a function response`);
  return block;
};

const decodeFunctionResponse = (
  response: NonNullable<GeminiRequestPart['functionResponse']>,
  where: string,
  open: OpenCall[],
): IrToolResultBlock => {
  const givenId = response.id !== null && response.id !== undefined && response.id !== '' ? response.id : undefined;
  const byId = givenId === undefined ? -1 : open.findIndex((call) => call.id === givenId);
  const position = byId !== -1 ? byId : open.findIndex((call) => call.name === response.name);
  const [matched] = position === -1 ? [] : open.splice(position, 1);
  // An id matching no call here (its call is not in this request's history) is still the client's word.
  const toolCallId = matched?.id ?? givenId;
  if (toolCallId === undefined) {
    throw invalidRequest(`${where}.functionResponse: no earlier functionCall named "${response.name}" to answer`, `${where}.functionResponse`);
  }
  const { text, isError } = resultText(response.response);
  const content: Array<IrTextBlock | IrImageBlock> = text === '' ? [] : [{ type: 'text', text }];
  (response.parts ?? []).forEach((part, index) => content.push(toolResultMedia(part, `${where}.functionResponse.parts[${index}]`)));
  return { type: 'tool_result', toolCallId, name: response.name, content, ...(isError ? { isError: true } : {}) };
};

const decodeUserParts = (parts: readonly GeminiRequestPart[], turn: number, open: OpenCall[]): IrUserBlock[] => {
  const blocks: IrUserBlock[] = [];
  parts.forEach((part, index) => {
    const where = `contents[${turn}].parts[${index}]`;
    checkSupported(part, where);
    if (part.functionCall) throw invalidRequest(`${where}.functionCall: only allowed in model turns`, `${where}.functionCall`);
    if (part.functionResponse) {
      blocks.push(decodeFunctionResponse(part.functionResponse, where, open));
      return;
    }
    const media = mediaBlock(part, where);
    if (media !== undefined) blocks.push(media);
    else if (part.text !== null && part.text !== undefined && part.text !== '') blocks.push({ type: 'text', text: part.text });
  });
  return blocks;
};

export const decodeGeminiContents = (contents: readonly GeminiContent[]): IrMessage[] => {
  const open: OpenCall[] = [];
  const messages: IrMessage[] = [];
  contents.forEach((content, turn) => {
    if (content.role === 'model') {
      const blocks = decodeModelParts(content.parts, turn, open);
      if (blocks.length > 0) messages.push({ role: 'assistant', content: blocks });
    } else {
      const blocks = decodeUserParts(content.parts, turn, open);
      if (blocks.length > 0) messages.push({ role: 'user', content: blocks });
    }
  });
  return messages;
};
