import * as z from 'zod/mini';
import type { WireFormat } from './ir/format';
import type { AuthenticatedKey } from './auth/key-record';
import type { QuotaLimiter } from './quota/quota-limiter';
import { normaliseBasePath } from './normalise-base-path';

/** Worker bindings, as declared in wrangler.toml, plus secrets from .dev.vars / wrangler secret. */
export interface Env {
  DB: D1Database;
  TASKS: KVNamespace;
  QUOTA: DurableObjectNamespace<QuotaLimiter>;
  USAGE_QUEUE: Queue<unknown>;
  IMAGE_QUEUE: Queue<unknown>;
  /** Raw usage events older than USAGE_RAW_DAYS, as NDJSON objects by day (src/usage/archive.ts). */
  USAGE_ARCHIVE: R2Bucket;
  /** Days raw usage events stay in D1 before they move to USAGE_ARCHIVE (default 7, at least 5). */
  USAGE_RAW_DAYS?: string;
  ADMIN_TOKEN?: string;
  ENCRYPTION_KEY?: string;
  WEBHOOK_SECRET?: string;
  KEY_PREFIX?: string;
  KEY_CACHE_TTL_SECONDS?: string;
  MAX_BODY_BYTES?: string;
  STREAM_KEEPALIVE_MS?: string;
  ENABLE_MOCK_PROVIDER?: string;
  ALLOW_PRIVATE_URLS?: string;
  /** Path of an existing site the relay is served under (`/llm-api`); unset: the relay owns the whole host. */
  BASE_PATH?: string;
  /** "true" only for local runs (`npm run dev`, the test suites): weak example secrets are accepted then. */
  DEV_MODE?: string;
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
  /** A 128 MB isolate holds the body, its parse and an encoded copy: 10 MiB leaves room for a few base64 images. */
  maxBodyBytes: z._default(z.coerce.number().check(z.int(), z.positive()), 10 * 1024 * 1024),
  /** Silence after which a stream gets a keepalive (0: never). */
  streamKeepaliveMs: z._default(z.coerce.number().check(z.int(), z.gte(0)), 15_000),
  /** Off unless set: a deployed relay must not serve free mock-* models; `npm run dev` and the test suites turn it on. */
  mockProviderEnabled: flag('false'),
  allowPrivateUrls: flag('false'),
  basePath: z._default(
    z.pipe(
      z.string(),
      z.transform((raw: string, context) => {
        const normalised = normaliseBasePath(raw);
        if (normalised === null) context.issues.push({ code: 'custom', input: raw, message: `BASE_PATH "${raw}" is not a plain path such as /llm-api (letters, digits, . _ ~ - per segment)` });
        return normalised ?? '';
      }),
    ),
    '',
  ),
  devMode: flag('false'),
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
      basePath: env.BASE_PATH || undefined,
      devMode: env.DEV_MODE || undefined,
    });
    configCache.set(env, config);
  }
  return config;
};
