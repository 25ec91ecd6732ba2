import { randomId } from '../protocols/shared/ids';
import { isRecord, type JsonRecord } from '../protocols/shared/json-guards';

/**
 * The messages of the Responses API's WebSocket mode, both ways. A client sends `response.create`
 * (a Responses create body plus `type`, and the socket-only `stream_id` and `generate`); the server
 * answers with the same events as the SSE stream, and with `error` events shaped
 * `{ type: "error", status, error: { type, code, message, param }, headers? }`: the HTTP status a
 * client would have got, which Codex maps back to its HTTP error handling.
 */

export interface CreateMessage {
  kind: 'create';
  /** The Responses body as `POST /v1/responses` takes it, streaming. */
  body: JsonRecord;
  /** A lane id the client gave; every event of this response echoes it. */
  streamId?: string;
  /** `generate: false`: prepare state only (Codex warms a connection up with one), no model call. */
  prepareOnly: boolean;
}

export type ClientMessage = CreateMessage | { kind: 'ignored' } | { kind: 'invalid'; message: string; streamId?: string };

export interface ErrorEventInput {
  status: number;
  type: string;
  message: string;
  code?: string | null;
  param?: string | null;
  headers?: Record<string, string>;
}

export const errorEvent = (error: ErrorEventInput, streamId?: string): string =>
  JSON.stringify({
    type: 'error',
    status: error.status,
    error: { type: error.type, code: error.code ?? null, message: error.message, param: error.param ?? null },
    ...(error.headers === undefined || Object.keys(error.headers).length === 0 ? {} : { headers: error.headers }),
    ...(streamId === undefined ? {} : { stream_id: streamId }),
  });

export const invalidRequest = (message: string): ErrorEventInput => ({ status: 400, type: 'invalid_request_error', message });

/** Reads one text message from the client. */
export const parseClientMessage = (text: string): ClientMessage => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'invalid', message: 'the message is not valid JSON' };
  }
  if (!isRecord(value) || typeof value.type !== 'string') return { kind: 'invalid', message: 'a message is a JSON object with a string "type"' };
  const streamId = typeof value.stream_id === 'string' ? value.stream_id : undefined;
  // Codex acknowledges each finished response; there is nothing to do for it.
  if (value.type === 'response.processed') return { kind: 'ignored' };
  if (value.type !== 'response.create') {
    return { kind: 'invalid', message: `unsupported message type "${value.type}": this relay accepts "response.create"`, ...(streamId === undefined ? {} : { streamId }) };
  }
  const { type: _type, stream_id: _streamId, generate, background, stream: _stream, ...rest } = value;
  if (background === true) {
    return { kind: 'invalid', message: 'background responses are not supported over a WebSocket', ...(streamId === undefined ? {} : { streamId }) };
  }
  return { kind: 'create', body: { ...rest, stream: true }, prepareOnly: generate === false, ...(streamId === undefined ? {} : { streamId }) };
};

/** The input as a list of items (a string is one user message). */
export const inputItemsOf = (input: unknown): unknown[] => {
  if (Array.isArray(input)) return input;
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return [];
};

/** The events of a `generate: false` response: created, then completed with no output and no tokens. */
export const preparedResponseEvents = (body: JsonRecord, now = Date.now()): { id: string; events: JsonRecord[] } => {
  const id = `resp_${randomId()}`;
  const response = (status: string): JsonRecord => ({
    id,
    object: 'response',
    created_at: Math.floor(now / 1000),
    status,
    model: typeof body.model === 'string' ? body.model : '',
    output: [],
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    previous_response_id: null,
    store: body.store ?? true,
    usage:
      status === 'completed'
        ? { input_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0 }
        : null,
  });
  return {
    id,
    events: [
      { type: 'response.created', sequence_number: 0, response: response('in_progress') },
      { type: 'response.completed', sequence_number: 1, response: response('completed') },
    ],
  };
};

const FORWARDED_ERROR_HEADERS = /^(?:retry-after(?:-ms)?|x-request-id|x-ratelimit-.*|x-codex-.*)$/;

/** An HTTP error answer of the relay (the Responses error body) as an `error` event. */
export const errorEventOfResponse = async (response: Response, streamId?: string): Promise<string> => {
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const error = isRecord(body) && isRecord(body.error) ? body.error : {};
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) if (FORWARDED_ERROR_HEADERS.test(name)) headers[name] = value;
  return errorEvent(
    {
      status: response.status,
      type: typeof error.type === 'string' ? error.type : response.status >= 500 ? 'server_error' : 'invalid_request_error',
      message: typeof error.message === 'string' ? error.message : text.slice(0, 500) || `HTTP ${response.status}`,
      code: typeof error.code === 'string' ? error.code : null,
      param: typeof error.param === 'string' ? error.param : null,
      headers,
    },
    streamId,
  );
};
