import { invalidRequest } from '../../errors';
import type { IrMediaSource } from '../../ir/content';
import type { IrRequest } from '../../ir/request';

/**
 * Checks every decoded client request passes, whatever its format: what no upstream would accept is
 * refused here with a 400 in the caller's shape, before quota, routing or an upstream sees it
 * (OpenAI and Gemini take temperature 0–2, every format top_p 0–1 and penalties −2–2).
 * Media must be real base64 or an http(s)/gs URL: the relay never forwards file:, data: text or
 * garbage for an upstream to choke on. A forced tool must be one the request declares.
 */
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const BASE64_HEAD = /^[A-Za-z0-9+/_-]+$/;
/** Beyond this, only both ends are checked: a full regex pass costs ≈2.5 ms per MB of image, and the upstream decodes it anyway. */
const FULLY_CHECKED_CHARS = 4096;

/** Garbage and text fail here; a multi-MB image costs two short slices, not a pass over all of it. */
const looksLikeBase64 = (data: string): boolean => {
  if (data.length <= FULLY_CHECKED_CHARS) return BASE64.test(data.replace(/\s+/g, ''));
  const half = FULLY_CHECKED_CHARS / 2;
  return BASE64_HEAD.test(data.slice(0, half).replace(/\s+/g, '')) && BASE64.test(data.slice(-half).replace(/\s+/g, ''));
};

const MEDIA_URL_SCHEMES = new Set(['http:', 'https:', 'gs:']);

const inRange = (value: number | undefined, min: number, max: number, param: string): void => {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value < min || value > max) throw invalidRequest(`${param}: must be a number from ${min} to ${max}, got ${value}`, param);
};

const checkMedia = (source: IrMediaSource, what: 'image' | 'file', where: string): void => {
  if (source.kind === 'base64') {
    if (what === 'image' && !/^image\/[\w.+-]+$/i.test(source.mediaType)) throw invalidRequest(`${where}: "${source.mediaType}" is not an image media type`);
    if (!looksLikeBase64(source.data)) throw invalidRequest(`${where}: the ${what} data is not valid base64`);
    return;
  }
  let url: URL;
  try {
    url = new URL(source.url);
  } catch {
    throw invalidRequest(`${where}: the ${what} URL is not a valid absolute URL`);
  }
  if (url.protocol === 'data:') throw invalidRequest(`${where}: a data: ${what} URL must be base64 (data:<media type>;base64,<data>)`);
  if (!MEDIA_URL_SCHEMES.has(url.protocol)) throw invalidRequest(`${where}: the ${what} URL must be http or https, not ${url.protocol}`);
};

export const assertSoundRequest = (request: IrRequest): IrRequest => {
  inRange(request.temperature, 0, 2, 'temperature');
  inRange(request.topP, 0, 1, 'top_p');
  inRange(request.presencePenalty, -2, 2, 'presence_penalty');
  inRange(request.frequencyPenalty, -2, 2, 'frequency_penalty');
  if (request.topK !== undefined && !(request.topK >= 0)) throw invalidRequest(`top_k: must not be negative, got ${request.topK}`, 'top_k');
  if (request.maxOutputTokens !== undefined && !(Number.isSafeInteger(request.maxOutputTokens) && request.maxOutputTokens >= 0)) {
    throw invalidRequest(`max output tokens: must be a non-negative integer, got ${request.maxOutputTokens}`, 'max_tokens');
  }
  request.messages.forEach((message, index) => {
    if (message.role !== 'user') return;
    for (const block of message.content) {
      const where = `messages[${index}]`;
      if (block.type === 'image' || block.type === 'file') checkMedia(block.source, block.type, where);
      if (block.type === 'tool_result') for (const part of block.content) if (part.type === 'image') checkMedia(part.source, 'image', where);
    }
  });
  const choice = request.toolChoice;
  if (choice?.type === 'tool' && !(request.tools ?? []).some((tool) => tool.name === choice.name)) {
    throw invalidRequest(`tool_choice: names the tool "${choice.name}", which is not among the request's tools`, 'tool_choice');
  }
  return request;
};
