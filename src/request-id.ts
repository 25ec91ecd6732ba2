import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import type { AppEnv } from './env';
import { randomId } from './protocols/shared/ids';

const CLIENT_REQUEST_ID_HEADER = 'x-client-request-id';
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id is the key of usage events, rollups and prepaid charges, so it is always the
 * relay's own: an id a client could choose would let it be recorded and charged once, ever. A
 * client's `X-Request-Id` is only echoed back as `x-client-request-id` (when short and plain) for
 * its own correlation.
 */
export const relayRequestId = (): MiddlewareHandler<AppEnv> => {
  const assign = requestId({ headerName: '', generator: () => `req_${randomId(24)}` });
  return async function relayRequestId(c, next) {
    await assign(c, next);
    const clientId = c.req.header('x-request-id');
    const echo = clientId !== undefined && CLIENT_REQUEST_ID.test(clientId) ? clientId : undefined;
    // Set on the final response, which routes often build themselves; a response with immutable
    // headers (a WebSocket upgrade) is left as it is rather than rebuilt.
    try {
      if (!c.res.headers.has('x-request-id')) c.res.headers.set('x-request-id', c.var.requestId);
      if (echo !== undefined) c.res.headers.set(CLIENT_REQUEST_ID_HEADER, echo);
    } catch {
      // immutable headers
    }
  };
};
