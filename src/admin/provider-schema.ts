import * as z from 'zod/mini';
import { PROVIDER_PROTOCOLS } from '../routing/provider';

const baseUrl = z.string().check(
  z.refine((value) => {
    if (value === 'mock://') return true;
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL'),
);

const nonEmpty = () => z.string().check(z.minLength(1));
const timeoutMs = () => z.optional(z.number().check(z.int(), z.positive()));

const tokenCount = () => z.optional(z.number().check(z.int(), z.positive()));

const modelEntry = z.union([
  nonEmpty(),
  z.strictObject({
    name: nonEmpty(),
    upstream: z.optional(nonEmpty()),
    contextWindow: tokenCount(),
    maxOutputTokens: tokenCount(),
    outputTokenField: z.optional(z.enum(['max_tokens', 'max_completion_tokens'])),
  }),
]);

const headerMap = z.record(z.string().check(z.regex(/^[A-Za-z0-9-]+$/, 'invalid header name')), z.string());

export const providerCreateSchema = z.strictObject({
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'lowercase letters, digits, _ . - (max 64)')),
  protocol: z.enum(PROVIDER_PROTOCOLS),
  baseUrl,
  apiKey: z.optional(nonEmpty()),
  models: z.array(modelEntry).check(z.minLength(1)),
  priority: z._default(z.number().check(z.int()), 0),
  weight: z._default(z.number().check(z.int(), z.gte(0)), 1),
  headers: z._default(headerMap, {}),
  enabled: z._default(z.boolean(), true),
  firstByteTimeoutMs: timeoutMs(),
  idleTimeoutMs: timeoutMs(),
  maxRetries: z.optional(z.number().check(z.int(), z.gte(0), z.lte(10))),
});

/** Strict like the create schema: omit and partial keep its catchall. */
export const providerUpdateSchema = z.partial(z.omit(providerCreateSchema, { id: true }));

export type ProviderCreate = z.infer<typeof providerCreateSchema>;
export type ProviderUpdate = z.infer<typeof providerUpdateSchema>;

export const modelRoutesOf = (models: ProviderCreate['models']) =>
  models.map((entry) =>
    typeof entry === 'string'
      ? { publicModel: entry, upstreamModel: entry }
      : {
          publicModel: entry.name,
          upstreamModel: entry.upstream ?? entry.name,
          contextWindow: entry.contextWindow ?? null,
          maxOutputTokens: entry.maxOutputTokens ?? null,
          outputTokenField: entry.outputTokenField ?? null,
        },
  );
