import type { MiddlewareHandler } from 'hono';
import { adminTokenState, bearerTokenOf, isAdminToken, WEAK_ADMIN_TOKEN } from '../auth/admin-token';
import { throttleBucketOf, loginLockedFor, loginRetryMessage, recordLoginFailure } from '../auth/login-throttle';
import { configOf, type AppEnv } from '../env';
import { RelayError } from '../errors';
import { ADMIN_API_ERROR_FORMAT } from '../protocols/registry';

/**
 * `Authorization: Bearer $ADMIN_TOKEN`, compared in constant time. No token configured (or a weak one
 * outside dev) = admin API off. Wrong tokens are counted per client IP; past the limit, 429.
 */
export const adminAuth = (): MiddlewareHandler<AppEnv> =>
  async function adminAuth(c, next) {
    c.set('clientFormat', ADMIN_API_ERROR_FORMAT);
    const state = adminTokenState(c.env);
    if (state.kind === 'unset') throw new RelayError('permission', 403, 'the admin API is disabled: set the ADMIN_TOKEN secret');
    if (state.kind === 'weak') throw new RelayError('permission', 403, WEAK_ADMIN_TOKEN);
    const presented = bearerTokenOf(c.req.header('authorization'));
    if (presented === undefined) throw new RelayError('authentication', 401, 'invalid admin token');
    const ip = throttleBucketOf(c.req.raw, configOf(c.env).devMode);
    const now = Date.now();
    const lockedFor = await loginLockedFor(c.env.TASKS, ip, now);
    if (lockedFor !== null) throw new RelayError('rate_limit', 429, loginRetryMessage(lockedFor), { retryAfterSeconds: lockedFor });
    if (!isAdminToken(state, presented)) {
      await recordLoginFailure(c.env.TASKS, ip, now);
      throw new RelayError('authentication', 401, 'invalid admin token');
    }
    await next();
  };
