import type { JsonRecord } from '../protocols/shared/json-guards';
import { isRecord } from '../protocols/shared/json-guards';
import { decodeSseStage } from '../streams/sse-decode';
import {
  errorEvent,
  errorEventOfResponse,
  inputItemsOf,
  invalidRequest,
  parseClientMessage,
  preparedResponseEvents,
  type CreateMessage,
} from './responses-socket-events';

export interface ResponsesSocketOptions {
  /** Runs one streaming Responses request through the relay's HTTP path (auth, quota, routing, usage). */
  relay: (body: JsonRecord, signal: AbortSignal) => Promise<Response>;
  /** Closed (1000) after this long with nothing running and no message from the client. */
  idleTimeoutMs: number;
  /** `response.create` messages that may wait behind the running one. */
  maxQueued?: number;
  /** The quota message sent before each response's events, from its POST's answer (Codex: `codex.rate_limits`). */
  rateLimitsMessage?: (response: Response) => string | undefined;
}

/**
 * The connection-local previous response, as OpenAI keeps it: a `store: false` response (Codex's
 * default) or a `generate: false` one is stored nowhere, yet the next `response.create` on the same
 * socket may name it in `previous_response_id`. Only the latest one is kept.
 */
interface LocalResponse {
  id: string;
  items: unknown[];
}

const TERMINAL = new Set(['response.completed', 'response.incomplete']);

/** Items go back without their ids, as the responses store does: an upstream that never minted them could refuse them. */
const withoutId = (item: unknown): unknown => {
  if (!isRecord(item) || item.id === undefined) return item;
  const { id: _id, status: _status, ...rest } = item;
  return rest;
};

/** The response a `response.completed` / `response.incomplete` event carries. */
const finishedResponseOf = (data: string): { id: string; output: unknown[] } | undefined => {
  let event: unknown;
  try {
    event = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!isRecord(event) || !TERMINAL.has(String(event.type)) || !isRecord(event.response) || typeof event.response.id !== 'string') return undefined;
  return { id: event.response.id, output: Array.isArray(event.response.output) ? event.response.output : [] };
};

const withStreamId = (data: string, streamId: string): string => {
  try {
    const event: unknown = JSON.parse(data);
    return isRecord(event) ? JSON.stringify({ ...event, stream_id: streamId }) : data;
  } catch {
    return data;
  }
};

/**
 * Serves one accepted socket: `response.create` messages run strictly one after another (a message
 * that arrives while one runs waits its turn), each as its own relay request; each SSE event's data
 * goes out as one text message. The socket closes on idle, and a client that leaves aborts the
 * running response (its upstream request with it) and drops the waiting ones.
 */
export const serveResponsesSocket = (socket: WebSocket, options: ResponsesSocketOptions): void => {
  const maxQueued = options.maxQueued ?? 32;
  const queue: string[] = [];
  let running = false;
  let closed = false;
  let abortCurrent: (() => void) | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let local: LocalResponse | undefined;

  const send = (text: string): boolean => {
    if (closed || socket.readyState !== WebSocket.OPEN) return false;
    try {
      socket.send(text);
      return true;
    } catch {
      return false;
    }
  };

  const shutDown = (code?: number, reason?: string) => {
    if (closed) return;
    closed = true;
    clearTimeout(idleTimer);
    queue.length = 0;
    abortCurrent?.();
    try {
      socket.close(code, reason);
    } catch {
      // already closing
    }
  };

  const armIdle = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => shutDown(1000, 'idle timeout'), options.idleTimeoutMs);
  };

  /** The body with a connection-local `previous_response_id` resolved, and the history this response continues (undefined: not local). */
  const continued = (body: JsonRecord): { body: JsonRecord; history: unknown[] | undefined } => {
    const previous = body.previous_response_id;
    const own = inputItemsOf(body.input);
    if (previous === undefined || previous === null) return { body, history: own };
    if (local === undefined || previous !== local.id) return { body, history: undefined };
    const { previous_response_id: _previous, ...rest } = body;
    const history = [...local.items, ...own];
    return { body: { ...rest, input: history }, history };
  };

  const prepare = (message: CreateMessage) => {
    const { body, history } = continued(message.body);
    const { id, events } = preparedResponseEvents(body);
    for (const event of events) send(message.streamId === undefined ? JSON.stringify(event) : JSON.stringify({ ...event, stream_id: message.streamId }));
    local = history === undefined ? undefined : { id, items: history };
  };

  const run = async (message: CreateMessage) => {
    const { body, history } = continued(message.body);
    const keepsLocal = body.store === false && history !== undefined;
    const controller = new AbortController();
    let reader: ReadableStreamDefaultReader<{ event?: string; data: string }> | undefined;
    abortCurrent = () => {
      controller.abort();
      void reader?.cancel().catch(() => undefined);
    };
    try {
      const response = await options.relay(body, controller.signal);
      const rateLimits = options.rateLimitsMessage?.(response);
      if (rateLimits !== undefined) send(message.streamId === undefined ? rateLimits : withStreamId(rateLimits, message.streamId));
      if (response.status !== 200 || response.body === null || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
        if (response.status === 200) {
          await response.body?.cancel();
          send(errorEvent({ status: 502, type: 'server_error', message: 'the relay answered without a stream' }, message.streamId));
        } else {
          send(await errorEventOfResponse(response, message.streamId));
        }
        return;
      }
      reader = response.body.pipeThrough(new TransformStream(decodeSseStage())).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (value.data === '[DONE]') continue;
        if (!send(message.streamId === undefined ? value.data : withStreamId(value.data, message.streamId))) break;
        const finished = keepsLocal && (value.event === undefined || TERMINAL.has(value.event)) ? finishedResponseOf(value.data) : undefined;
        if (finished !== undefined) local = { id: finished.id, items: [...(history ?? []), ...finished.output.map(withoutId)] };
      }
    } catch (error) {
      if (!closed) send(errorEvent({ status: 500, type: 'server_error', message: `the response failed: ${String(error)}` }, message.streamId));
    } finally {
      abortCurrent = undefined;
      if (closed) await reader?.cancel().catch(() => undefined);
    }
  };

  const handle = async (text: string) => {
    const message = parseClientMessage(text);
    if (message.kind === 'ignored') return;
    if (message.kind === 'invalid') {
      send(errorEvent(invalidRequest(message.message), message.streamId));
      return;
    }
    if (message.prepareOnly) prepare(message);
    else await run(message);
  };

  const pump = async () => {
    if (running) return;
    running = true;
    clearTimeout(idleTimer);
    while (queue.length > 0 && !closed) await handle(queue.shift() as string);
    running = false;
    if (!closed) armIdle();
  };

  socket.addEventListener('message', (event: MessageEvent) => {
    if (closed) return;
    if (typeof event.data !== 'string') {
      send(errorEvent(invalidRequest('binary messages are not supported: send JSON text')));
      return;
    }
    if (queue.length >= maxQueued) {
      send(errorEvent(invalidRequest(`more than ${maxQueued} response.create messages are waiting on this socket`)));
      return;
    }
    queue.push(event.data);
    void pump();
  });
  // The client closed (or the connection broke): answer its close and stop everything it started.
  socket.addEventListener('close', () => shutDown(1000, 'closed by client'));
  socket.addEventListener('error', () => shutDown(1011, 'socket error'));
  armIdle();
};
