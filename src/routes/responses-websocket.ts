import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { RelayError } from '../errors';
import { codexRateLimitsMessage, isCodexClient } from './responses-socket-rate-limits';
import { serveResponsesSocket } from './responses-socket-session';

/** A socket with nothing running and no message for this long is closed with 1000 "idle timeout". */
const RESPONSES_SOCKET_IDLE_MS = 5 * 60_000;

export interface ResponsesWebSocketOptions {
  /** The relay app: each `response.create` runs as a `POST` through it, so auth, quota, routing, fallback and usage are the HTTP path's. */
  dispatch: (request: Request, c: Context<AppEnv>) => Response | Promise<Response>;
  idleTimeoutMs?: number;
}

const isUpgrade = (request: Request): boolean => (request.headers.get('upgrade') ?? '').toLowerCase() === 'websocket';

/** `GET /v1/responses` exists only as the WebSocket; a plain GET is told so (426) before any key check. */
export const requireWebSocketUpgrade = (): MiddlewareHandler<AppEnv> =>
  async function requireWebSocketUpgrade(c, next) {
    if (!isUpgrade(c.req.raw)) {
      throw new RelayError('invalid_request', 426, `GET ${new URL(c.req.url).pathname} is the Responses API WebSocket: open it with Upgrade: websocket`, {
        code: 'upgrade_required',
      });
    }
    await next();
  };

const HANDSHAKE_ONLY = ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol', 'content-length'];

/**
 * The handshake's headers for each response's POST: its key and client headers, without the
 * WebSocket ones, and without the `responses_websockets` beta (Codex sends it with the handshake),
 * which would otherwise travel on to a Responses upstream that is called over HTTP.
 */
const postHeadersOf = (handshake: Headers): Headers => {
  const headers = new Headers(handshake);
  for (const name of HANDSHAKE_ONLY) headers.delete(name);
  headers.set('content-type', 'application/json');
  const beta = headers.get('openai-beta');
  if (beta !== null) {
    const kept = beta
      .split(',')
      .map((value) => value.trim())
      .filter((value) => value !== '' && !value.startsWith('responses_websockets'));
    if (kept.length === 0) headers.delete('openai-beta');
    else headers.set('openai-beta', kept.join(', '));
  }
  return headers;
};

/**
 * The Responses API over a WebSocket (`GET /v1/responses`, and `GET …/responses` under the agent
 * API for agent keys, with `Upgrade: websocket`), for any
 * upstream format. Mounted after `apiKeyAuth`, so a handshake without a valid key gets its 401
 * before the upgrade; every `response.create` is then one relay request of its own (one quota
 * admission, one usage row), sent with the handshake's headers.
 */
export const responsesWebSocket = (options: ResponsesWebSocketOptions): MiddlewareHandler<AppEnv> =>
  async function responsesWebSocket(c) {
    const url = c.req.url;
    const headers = postHeadersOf(c.req.raw.headers);
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    server.accept();
    serveResponsesSocket(server, {
      idleTimeoutMs: options.idleTimeoutMs ?? RESPONSES_SOCKET_IDLE_MS,
      ...(isCodexClient(c.req.raw.headers) ? { rateLimitsMessage: codexRateLimitsMessage } : {}),
      relay: async (body, signal) => options.dispatch(new Request(url, { method: 'POST', headers, body: JSON.stringify(body), signal }), c),
    });
    return new Response(null, { status: 101, webSocket: client });
  };
