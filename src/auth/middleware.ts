import type { MiddlewareHandler } from 'hono';
import { configOf, type AppEnv } from '../env';
import { RelayError } from '../errors';
import { backgroundOf } from '../cache/background';
import { loadRouteTable } from '../routing/route-table';
import { extractApiKey } from './extract-key';
import { lookupKey } from './key-cache';
import { hashPresentedKey } from './key-hash';
import { assertKeyKind } from './key-kind';
import type { KeyKind } from './key-record';
import { isWellFormedKey } from './key-shape';

export interface ApiKeyAuthOptions {
  /** The scope the endpoint needs ("chat", "images"). */
  scope: string;
  /** The kind of key the surface takes: `inference` (default, every /v1 surface) or `agent` (/api/v1/agents). */
  kind?: KeyKind;
}

/** Authenticates the client key (401) and checks its kind, plan and the endpoint's scope (403), in the caller's error shape. */
export const apiKeyAuth = (options: ApiKeyAuthOptions): MiddlewareHandler<AppEnv> =>
  async function apiKeyAuth(c, next) {
    const presented = extractApiKey(c.req.raw);
    if (presented === undefined) {
      throw new RelayError('authentication', 401, 'missing API key: send it as Authorization: Bearer, x-api-key or x-goog-api-key');
    }
    const config = configOf(c.env);
    if (!isWellFormedKey(presented, config.keyPrefix)) throw new RelayError('authentication', 401, 'invalid API key', { code: 'invalid_api_key' });
    const now = Date.now();
    const background = backgroundOf(c);
    // Every keyed endpoint but /v1/usage routes a model: a cold isolate's two D1 reads overlap instead of queueing.
    loadRouteTable(c.env, now, background).catch(() => undefined);
    const found = await lookupKey(c.env, await hashPresentedKey(presented), now, background);
    if (found === undefined || found.revokedAt !== null) {
      throw new RelayError('authentication', 401, found ? 'API key has been revoked' : 'invalid API key', { code: 'invalid_api_key' });
    }
    const key = found.key;
    if (key.expiresAt !== null && key.expiresAt <= now) {
      throw new RelayError('authentication', 401, 'API key has expired', { code: 'invalid_api_key' });
    }
    assertKeyKind(key, options.kind ?? 'inference');
    if (!key.scopes.includes(options.scope)) {
      throw new RelayError('permission', 403, `this API key lacks the "${options.scope}" scope`, { code: 'missing_scope' });
    }
    c.set('apiKey', key);
    await next();
  };
