import type { MiddlewareHandler } from 'hono';
import { apiKeyAuth } from '../../auth/middleware';
import type { AppEnv } from '../../env';
import { RelayError } from '../../errors';

const IMAGE_SCOPE_MESSAGE = 'this endpoint needs an image key: the API key lacks the "images" scope (create one with scopes ["images"])';

/**
 * apiKeyAuth({ scope: 'images' }) with a refusal that tells the caller an image key is needed. Only
 * the scope refusal raised before the handler ran is reworded; other refusals (an agent key, an
 * unknown plan) and errors from later are passed on.
 */
export const imageKeyAuth = (): MiddlewareHandler<AppEnv> => {
  const auth = apiKeyAuth({ scope: 'images' });
  return async function imageKeyAuth(c, next) {
    let authenticated = false;
    try {
      await auth(c, async () => {
        authenticated = true;
        await next();
      });
    } catch (error) {
      if (!authenticated && error instanceof RelayError && error.code === 'missing_scope') throw new RelayError('permission', 403, IMAGE_SCOPE_MESSAGE, { code: 'missing_scope' });
      throw error;
    }
  };
};
