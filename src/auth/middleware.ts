import type { MiddlewareHandler } from 'hono';
import { configOf, type AppEnv } from '../env';
import { RelayError } from '../errors';
import { dbOf } from '../db/client';
import { findKeyByHash } from '../db/keys';
import { extractApiKey } from './extract-key';
import { cacheKey, getCachedKey } from './key-cache';
import { hashPresentedKey } from './key-hash';
import { isWellFormedKey } from './key-shape';

export interface ApiKeyAuthOptions {
  /** The scope the endpoint needs ("chat", "images"). */
  scope: string;
}

/** Authenticates the client key (401) and checks the endpoint's scope (403), in the caller's error shape. */
export const apiKeyAuth = (options: ApiKeyAuthOptions): MiddlewareHandler<AppEnv> =>
  async function apiKeyAuth(c, next) {
    const presented = extractApiKey(c.req.raw);
    if (presented === undefined) {
      throw new RelayError('authentication', 401, 'missing API key: send it as Authorization: Bearer, x-api-key or x-goog-api-key');
    }
    const config = configOf(c.env);
    if (!isWellFormedKey(presented, config.keyPrefix)) throw new RelayError('authentication', 401, 'invalid API key', { code: 'invalid_api_key' });
    const now = Date.now();
    const hash = await hashPresentedKey(presented);
    let key = getCachedKey(hash, now);
    if (key === undefined) {
      const found = await findKeyByHash(dbOf(c.env.DB), hash);
      if (found === undefined || found.revokedAt !== null) {
        throw new RelayError('authentication', 401, found ? 'API key has been revoked' : 'invalid API key', { code: 'invalid_api_key' });
      }
      key = found.key;
      cacheKey(hash, key, now, config.keyCacheTtlMs);
    }
    if (key.expiresAt !== null && key.expiresAt <= now) {
      throw new RelayError('authentication', 401, 'API key has expired', { code: 'invalid_api_key' });
    }
    if (!key.scopes.includes(options.scope)) {
      throw new RelayError('permission', 403, `this API key lacks the "${options.scope}" scope`);
    }
    c.set('apiKey', key);
    await next();
  };
