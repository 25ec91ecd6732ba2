import type { MiddlewareHandler } from 'hono';
import { timingSafeEqual } from '../auth/key-hash';
import type { AppEnv } from '../env';
import { RelayError } from '../errors';

/** `Authorization: Bearer $ADMIN_TOKEN`, compared in constant time. No token configured = admin API off. */
export const adminAuth = (): MiddlewareHandler<AppEnv> =>
  async function adminAuth(c, next) {
    c.set('clientFormat', 'openai-chat');
    const expected = c.env.ADMIN_TOKEN;
    if (!expected) throw new RelayError('permission', 403, 'the admin API is disabled: set the ADMIN_TOKEN secret');
    const match = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
    if (!match?.[1] || !timingSafeEqual(match[1].trim(), expected)) throw new RelayError('authentication', 401, 'invalid admin token');
    await next();
  };
