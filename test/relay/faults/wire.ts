import anthropicText from '../../fixtures/anthropic/anthropic-text.chunks.txt?raw';
import geminiText from '../../fixtures/gemini/google-text.chunks.txt?raw';
import chatText from '../../fixtures/openai-chat/issue-15789-step-2.chunks.txt?raw';
import responsesText from '../../fixtures/openai-responses/openai-issue-11239.1.chunks.txt?raw';
import type { WireFormat } from '../../../src/ir/format';

/**
 * What the fault suite needs to know about each wire format, written from the providers' stream
 * documentation and the recorded streams (not from the codecs under test): a recorded stream as SSE frames and where its
 * first content frame is, how a client asks for a stream, and how the client recognises a complete
 * stream and an in-stream error.
 */
export const FORMATS: readonly WireFormat[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

type Json = Record<string, unknown>;
const parse = (line: string): Json => JSON.parse(line) as Json;
const lines = (text: string) => text.split(/\r?\n/).filter((line) => line.trim() !== '');

const RECORDED: Record<WireFormat, { text: string; named: boolean; done: boolean; isContent: (payload: Json) => boolean }> = {
  'openai-chat': {
    text: chatText,
    named: false,
    done: true,
    isContent: (payload) => JSON.stringify(payload.choices ?? []).includes('"content":"') && !JSON.stringify(payload.choices).includes('"content":""'),
  },
  'openai-responses': { text: responsesText, named: true, done: false, isContent: (payload) => payload.type === 'response.output_item.added' },
  anthropic: { text: anthropicText, named: true, done: false, isContent: (payload) => payload.type === 'content_block_start' },
  gemini: { text: geminiText, named: false, done: false, isContent: () => true },
};

export interface RecordedStream {
  frames: string[];
  /** Index of the first frame that carries content (a block, a delta, a finish). */
  firstContent: number;
}

export const recordedStream = (format: WireFormat, separator = '\n'): RecordedStream => {
  const spec = RECORDED[format];
  const payloads = lines(spec.text);
  const frames = payloads.map((line) => {
    const type = parse(line).type;
    return spec.named && typeof type === 'string' ? `event: ${type}${separator}data: ${line}${separator}${separator}` : `data: ${line}${separator}${separator}`;
  });
  if (spec.done) frames.push(`data: [DONE]${separator}${separator}`);
  return { frames, firstContent: payloads.findIndex((line) => spec.isContent(parse(line))) };
};

/** Where each format's provider baseUrl points, given an origin, as each official SDK takes it (`/v1` for OpenAI). */
export const baseUrlFor = (format: WireFormat, origin: string): string => (format.startsWith('openai') ? `${origin}/v1` : origin);

export interface ClientCall {
  path: string;
  body: Json;
}

export const clientCall = (format: WireFormat, model: string, stream: boolean): ClientCall => {
  const messages = [{ role: 'user', content: 'hi' }];
  switch (format) {
    case 'openai-chat':
      return { path: '/v1/chat/completions', body: { model, messages, stream, ...(stream ? { stream_options: { include_usage: true } } : {}) } };
    case 'openai-responses':
      return { path: '/v1/responses', body: { model, input: 'hi', stream } };
    case 'anthropic':
      return { path: '/v1/messages', body: { model, max_tokens: 64, messages, stream } };
    case 'gemini':
      return {
        path: `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
        body: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
      };
  }
};

/** The client's own sign that a stream ended properly (`[DONE]`, `response.completed`, `message_stop`, a finishReason). */
export const completedStream = (format: WireFormat, text: string): boolean => {
  switch (format) {
    case 'openai-chat':
      return text.includes('data: [DONE]');
    case 'openai-responses':
      return text.includes('event: response.completed');
    case 'anthropic':
      return text.includes('event: message_stop');
    case 'gemini':
      return text.includes('"finishReason"');
  }
};

/** The in-stream error each client format expects, or undefined if there is none. */
export const inStreamError = (format: WireFormat, text: string): Json | undefined => {
  const events = text.split(/\n\n/).filter((frame) => frame.trim() !== '');
  for (const frame of events) {
    const name = /^event: (.*)$/m.exec(frame)?.[1];
    const data = /^data: (.*)$/m.exec(frame)?.[1];
    if (data === undefined || data === '[DONE]') continue;
    const payload = parse(data);
    if (format === 'anthropic' && name === 'error' && payload.type === 'error') return payload;
    if (format === 'openai-responses' && name === 'error' && payload.type === 'error') {
      return text.includes('event: response.failed') ? payload : undefined;
    }
    if ((format === 'openai-chat' || format === 'gemini') && name === undefined && 'error' in payload) return payload;
  }
  return undefined;
};

/** The error object inside a client-format error body (HTTP or in-stream). */
export const errorObject = (body: Json): Json => {
  const error = body.error;
  return error !== null && typeof error === 'object' ? (error as Json) : {};
};

/** An overloaded error as each format's upstream sends it in an HTTP body. */
export const overloadedBody = (format: WireFormat): Json => {
  switch (format) {
    case 'openai-chat':
    case 'openai-responses':
      return { error: { message: 'The engine is currently overloaded', type: 'server_error', param: null, code: 'server_is_overloaded' } };
    case 'anthropic':
      return { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    case 'gemini':
      return { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } };
  }
};

/** The same error as an in-stream event. */
export const overloadedFrame = (format: WireFormat): string => {
  switch (format) {
    case 'openai-chat':
    case 'gemini':
      return `data: ${JSON.stringify(overloadedBody(format))}\n\n`;
    case 'openai-responses': {
      // As recorded: an `error` event, then `response.failed`.
      const error = { type: 'server_error', code: 'server_is_overloaded', message: 'The engine is currently overloaded', param: null };
      const failed = { type: 'response.failed', sequence_number: 1, response: { id: 'resp_f', object: 'response', status: 'failed', output: [], error } };
      return `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: 0, error })}\n\nevent: response.failed\ndata: ${JSON.stringify(failed)}\n\n`;
    }
    case 'anthropic':
      return `event: error\ndata: ${JSON.stringify(overloadedBody(format))}\n\n`;
  }
};

/** A client error (400) in each format's HTTP shape. */
export const invalidRequestBody = (format: WireFormat): Json =>
  format === 'anthropic'
    ? { type: 'error', error: { type: 'invalid_request_error', message: 'messages: bad' } }
    : format === 'gemini'
      ? { error: { code: 400, message: 'bad request', status: 'INVALID_ARGUMENT' } }
      : { error: { message: 'bad request', type: 'invalid_request_error', param: null, code: null } };

/** The next format in the list: a different wire format, so the relay translates. */
export const otherFormat = (format: WireFormat): WireFormat => FORMATS[(FORMATS.indexOf(format) + 1) % FORMATS.length] ?? 'openai-chat';
