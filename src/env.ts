import * as z from 'zod/mini';
import type { WireFormat } from './ir/format';
import type { AuthenticatedKey } from './auth/key-record';
import { normaliseBasePath } from './normalise-base-path';

/**
 * Worker bindings: `Cloudflare.Env` is generated from wrangler.toml and .dev.vars.example by
 * `npm run cf-typegen` (src/worker-configuration.d.ts; the secrets' names come from
 * .dev.vars.example). Added here: the vars wrangler.toml does not set, which only a deployment or a
 * run sets.
 */
declare global {
  namespace Cloudflare {
    interface Env {
      STREAM_KEEPALIVE_MS?: string;
      PASSTHROUGH_PIPE?: string;
      /** Admissions a second above which a key's limiter hands isolates blocks of admissions (src/quota/admission-block.ts); 0: never. */
      QUOTA_BLOCK_ABOVE?: string;
      ENABLE_MOCK_PROVIDER?: string;
      ALLOW_PRIVATE_URLS?: string;
      /** Path of an existing site the relay is served under (`/llm-api`); unset: the relay owns the whole host. */
      BASE_PATH?: string;
      /** "true" only for local runs (`npm run dev`, the test suites): weak example secrets are accepted then. */
      DEV_MODE?: string;
    }
  }
}

/**
 * Generated as required, but may be absent: a deployment may not have set its secrets yet, and every
 * [vars] value has a default (configOf, src/usage/retention.ts), so a deployment or a test may leave it out.
 */
type MayBeUnset = 'ADMIN_TOKEN' | 'ENCRYPTION_KEY' | 'WEBHOOK_SECRET' | 'KEY_PREFIX' | 'KEY_CACHE_TTL_SECONDS' | 'MAX_BODY_BYTES' | 'USAGE_RAW_DAYS' | 'USAGE_FOLD_SECONDS';
export type Env = Omit<Cloudflare.Env, MayBeUnset> & Partial<Pick<Cloudflare.Env, MayBeUnset>>;

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
  /**
   * `js` (default) keeps every chunk of a same-format stream in the relay: key redaction, held-back
   * malformed events and no lost bytes on a reset, at ~100 µs of CPU per event more than the runtime's pipe.
   * `native` hands the stream to the runtime's pipe after its first content (README, Streams).
   */
  passthroughPipe: z._default(z.enum(['native', 'js']), 'js'),
  /** Admissions a second of one key above which its limiter hands out admission blocks (src/quota/admission-block.ts); 0: never. */
  quotaBlockAbove: z._default(z.coerce.number().check(z.gte(0)), 200),
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
  /**
   * How often usage events are folded into the rollups, hourly charges and balances (src/usage/usage-fold.ts):
   * what those lag behind the raw events at most. 0: every consumer write folds (`npm run dev`, the tests).
   */
  usageFoldMs: z.pipe(
    z._default(z.coerce.number().check(z.int(), z.gte(0)), 60),
    z.transform((seconds: number) => seconds * 1000),
  ),
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
      passthroughPipe: env.PASSTHROUGH_PIPE || undefined,
      quotaBlockAbove: env.QUOTA_BLOCK_ABOVE || undefined,
      mockProviderEnabled: env.ENABLE_MOCK_PROVIDER || undefined,
      allowPrivateUrls: env.ALLOW_PRIVATE_URLS || undefined,
      basePath: env.BASE_PATH || undefined,
      devMode: env.DEV_MODE || undefined,
      usageFoldMs: env.USAGE_FOLD_SECONDS || undefined,
    });
    configCache.set(env, config);
  }
  return config;
};
