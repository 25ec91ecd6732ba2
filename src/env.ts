import * as z from 'zod/mini';
import type { WireFormat } from './ir/format';
import type { AuthenticatedKey } from './auth/key-record';
import type { QuotaLimiter } from './quota/quota-limiter';

/** Worker bindings, as declared in wrangler.toml, plus secrets from .dev.vars / wrangler secret. */
export interface Env {
  DB: D1Database;
  TASKS: KVNamespace;
  QUOTA: DurableObjectNamespace<QuotaLimiter>;
  USAGE_QUEUE: Queue<unknown>;
  IMAGE_QUEUE: Queue<unknown>;
  ADMIN_TOKEN?: string;
  ENCRYPTION_KEY?: string;
  WEBHOOK_SECRET?: string;
  KEY_PREFIX?: string;
  KEY_CACHE_TTL_SECONDS?: string;
  MAX_BODY_BYTES?: string;
  STREAM_KEEPALIVE_MS?: string;
  ENABLE_MOCK_PROVIDER?: string;
  ALLOW_PRIVATE_URLS?: string;
}

export interface AppVariables {
  requestId: string;
  clientFormat: WireFormat;
  apiKey: AuthenticatedKey;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };

const flag = (fallback: 'true' | 'false') =>
  z.pipe(
    z._default(z.enum(['true', 'false']), fallback),
    z.transform((value: 'true' | 'false') => value === 'true'),
  );

const configSchema = z.object({
  keyPrefix: z._default(z.string().check(z.minLength(1)), 'sk-relay-'),
  keyCacheTtlMs: z.pipe(
    z._default(z.coerce.number().check(z.int(), z.gte(0)), 30),
    z.transform((seconds: number) => seconds * 1000),
  ),
  maxBodyBytes: z._default(z.coerce.number().check(z.int(), z.positive()), 32 * 1024 * 1024),
  /** Silence after which a stream gets a keepalive (0: never). */
  streamKeepaliveMs: z._default(z.coerce.number().check(z.int(), z.gte(0)), 15_000),
  mockProviderEnabled: flag('true'),
  allowPrivateUrls: flag('false'),
});

export type RelayConfig = z.infer<typeof configSchema>;

const configCache = new WeakMap<Env, RelayConfig>();

/** Validated configuration, parsed once per env object (once per isolate in production). */
export const configOf = (env: Env): RelayConfig => {
  let config = configCache.get(env);
  if (config === undefined) {
    config = configSchema.parse({
      keyPrefix: env.KEY_PREFIX || undefined,
      keyCacheTtlMs: env.KEY_CACHE_TTL_SECONDS || undefined,
      maxBodyBytes: env.MAX_BODY_BYTES || undefined,
      streamKeepaliveMs: env.STREAM_KEEPALIVE_MS || undefined,
      mockProviderEnabled: env.ENABLE_MOCK_PROVIDER || undefined,
      allowPrivateUrls: env.ALLOW_PRIVATE_URLS || undefined,
    });
    configCache.set(env, config);
  }
  return config;
};
