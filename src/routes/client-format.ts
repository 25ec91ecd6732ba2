import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import type { WireFormat } from '../ir/format';

/** Marks the surface's wire format, so any error from here on is answered in the caller's shape. */
export const clientFormat = (format: WireFormat): MiddlewareHandler<AppEnv> =>
  async function clientFormat(c, next) {
    c.set('clientFormat', format);
    await next();
  };

/** For paths no surface claimed (404s, early failures): the format the caller most likely speaks. */
export const guessClientFormat = (request: Request): WireFormat => {
  const path = new URL(request.url).pathname;
  if (path.includes('/v1beta/')) return 'gemini';
  if (path.includes('/messages') || request.headers.has('anthropic-version')) return 'anthropic';
  if (path.includes('/responses')) return 'openai-responses';
  return 'openai-chat';
};
