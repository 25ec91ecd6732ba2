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

const providerFields = {
  protocol: z.enum(PROVIDER_PROTOCOLS),
  baseUrl,
  apiKey: nonEmpty(),
  models: z.array(modelEntry).check(z.minLength(1)),
  priority: z.number().check(z.int()),
  weight: z.number().check(z.int(), z.gte(0)),
  headers: headerMap,
  enabled: z.boolean(),
  firstByteTimeoutMs: z.number().check(z.int(), z.positive()),
  idleTimeoutMs: z.number().check(z.int(), z.positive()),
  maxRetries: z.number().check(z.int(), z.gte(0), z.lte(10)),
};

export const providerCreateSchema = z.strictObject({
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'lowercase letters, digits, _ . - (max 64)')),
  protocol: providerFields.protocol,
  baseUrl,
  apiKey: z.optional(providerFields.apiKey),
  models: providerFields.models,
  priority: z._default(providerFields.priority, 0),
  weight: z._default(providerFields.weight, 1),
  headers: z._default(headerMap, {}),
  enabled: z._default(providerFields.enabled, true),
  firstByteTimeoutMs: timeoutMs(),
  idleTimeoutMs: timeoutMs(),
  maxRetries: z.optional(providerFields.maxRetries),
});

/**
 * Built from the fields without their create defaults: a PATCH changes only what it names (a partial of
 * the create schema would fill `headers`, `weight`, `priority` and `enabled` back to their defaults).
 */
export const providerUpdateSchema = z.partial(z.strictObject(providerFields));

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
