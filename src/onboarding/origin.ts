import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { RelayError } from '../errors';

/**
 * The relay's own base URL, taken from the request so every config on the page points where the reader
 * actually reached the relay. The Host header is the client's to choose, and a URL host may legally hold
 * quotes and other characters a shell or YAML snippet would trip on, so only a plain origin is accepted.
 */
const PLAIN_ORIGIN = /^https?:\/\/(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export const relayOrigin = (c: Context<AppEnv>): string => {
  const origin = new URL(c.req.url).origin;
  if (!PLAIN_ORIGIN.test(origin)) throw new RelayError('invalid_request', 400, 'the Host of this request is not a plain host name');
  return origin;
};
