import type { MediaUrl } from '../codec';
import { isRecord } from '../shared/json-guards';

/** Passthrough forwards the body as sent, so both proto3 JSON spellings are read (see normalize.ts). */
const field = (record: Record<string, unknown>, camel: string, snake: string): unknown => record[camel] ?? record[snake];

const collectParts = (parts: unknown, where: string, urls: MediaUrl[]): void => {
  if (!Array.isArray(parts)) return;
  parts.forEach((part: unknown, at) => {
    if (!isRecord(part)) return;
    const fileData = field(part, 'fileData', 'file_data');
    const uri = isRecord(fileData) ? field(fileData, 'fileUri', 'file_uri') : undefined;
    if (typeof uri === 'string') urls.push({ url: uri, param: `${where}[${at}].fileData.fileUri` });
    const response = field(part, 'functionResponse', 'function_response');
    if (isRecord(response)) collectParts(response.parts, `${where}[${at}].functionResponse.parts`, urls);
  });
};

/** `fileData.fileUri` in `contents[].parts[]`, the system instruction and function responses; countTokens may wrap them in `generateContentRequest`. */
export const geminiMediaUrls = (body: Record<string, unknown>): MediaUrl[] => {
  const urls: MediaUrl[] = [];
  const collectBody = (request: Record<string, unknown>, prefix: string): void => {
    const contents = request.contents;
    if (Array.isArray(contents)) {
      contents.forEach((content: unknown, index) => {
        if (isRecord(content)) collectParts(content.parts, `${prefix}contents[${index}].parts`, urls);
      });
    }
    const system = field(request, 'systemInstruction', 'system_instruction');
    if (isRecord(system)) collectParts(system.parts, `${prefix}systemInstruction.parts`, urls);
  };
  collectBody(body, '');
  const wrapped = field(body, 'generateContentRequest', 'generate_content_request');
  if (isRecord(wrapped)) collectBody(wrapped, 'generateContentRequest.');
  return urls;
};
