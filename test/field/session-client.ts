import { expect } from 'vitest';
import type { WireFormat } from '../../src/ir/format';
import { callRelay } from '../setup/seed';
import { clientCall, completedStream } from '../relay/faults/wire';

/**
 * A client of the field session: each format calls with the auth header its own SDK sends
 * (Bearer for OpenAI, x-api-key for Anthropic, x-goog-api-key for Gemini) and reads what that SDK reads.
 */
type Json = Record<string, unknown>;

const authHeaders = (format: WireFormat, key: string): Record<string, string> => {
  switch (format) {
    case 'openai-chat':
    case 'openai-responses':
      return { authorization: `Bearer ${key}` };
    case 'anthropic':
      return { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
    case 'gemini':
      return { 'x-goog-api-key': key };
  }
};

export interface Answer {
  format: WireFormat;
  status: number;
  headers: Headers;
  text: string;
  requestId: string;
}

export const ask = async (format: WireFormat, key: string, model: string, stream: boolean, headers: Record<string, string> = {}): Promise<Answer> => {
  const call = clientCall(format, model, stream);
  const response = await callRelay(call.path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders(format, key), ...headers },
    body: JSON.stringify(call.body),
  });
  const text = await response.text();
  return { format, status: response.status, headers: response.headers, text, requestId: response.headers.get('x-request-id') ?? '' };
};

export interface OpenStream {
  status: number;
  requestId: string;
  /** The client goes away: the runtime aborts the request's signal. */
  leave: () => void;
  answer: () => Answer;
}

/** A stream read up to its first chunk, kept open until `leave`. */
export const openStream = async (format: WireFormat, key: string, model: string): Promise<OpenStream> => {
  const call = clientCall(format, model, true);
  const controller = new AbortController();
  const response = await callRelay(call.path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders(format, key) },
    body: JSON.stringify(call.body),
    signal: controller.signal,
  });
  const first = await response.body?.getReader().read();
  const text = new TextDecoder().decode(first?.value ?? new Uint8Array());
  const requestId = response.headers.get('x-request-id') ?? '';
  return {
    status: response.status,
    requestId,
    leave: () => controller.abort(new Error('client left')),
    answer: () => ({ format, status: response.status, headers: response.headers, text, requestId }),
  };
};

/** The answer's text as the format's SDK would surface it (non-stream), or whether the stream completed. */
export const expectAnswered = (answer: Answer, stream: boolean): void => {
  expect(answer.status, answer.text).toBe(200);
  expect(answer.requestId).toMatch(/^req_/);
  if (stream) {
    expect(completedStream(answer.format, answer.text), answer.text).toBe(true);
    return;
  }
  const body = JSON.parse(answer.text) as Json;
  const text = (() => {
    switch (answer.format) {
      case 'openai-chat':
        return ((body.choices as Json[])[0]?.message as Json).content;
      case 'openai-responses':
        return JSON.stringify(body.output);
      case 'anthropic':
        return ((body.content as Json[])[0] as Json).text;
      case 'gemini':
        return JSON.stringify(body.candidates);
    }
  })();
  expect(typeof text === 'string' && text.length > 0, answer.text).toBe(true);
};

/** An error body in the caller's own shape, with its message. */
export const errorMessageOf = (answer: Answer): string => {
  expect(answer.headers.get('content-type') ?? '', answer.text).toContain('application/json');
  const body = JSON.parse(answer.text) as Json;
  const error = body.error as Json;
  expect(error, answer.text).toBeTypeOf('object');
  if (answer.format === 'anthropic') {
    expect(body.type).toBe('error');
    expect(error.type).toBeTypeOf('string');
  } else if (answer.format === 'gemini') {
    expect(error.status).toBeTypeOf('string');
    expect(error.code).toBe(answer.status);
  } else {
    expect(error.type ?? error.code, answer.text).toBeTruthy();
  }
  expect(error.message).toBeTypeOf('string');
  return error.message as string;
};

/** Runs `tasks` with at most `width` in flight, preserving order. */
export const inBatches = async <T>(width: number, tasks: Array<() => Promise<T>>): Promise<T[]> => {
  const out: T[] = [];
  for (let i = 0; i < tasks.length; i += width) out.push(...(await Promise.all(tasks.slice(i, i + width).map((task) => task()))));
  return out;
};
