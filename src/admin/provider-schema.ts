import * as z from 'zod';
import { PROVIDER_PROTOCOLS } from '../routing/provider';

const baseUrl = z
  .string()
  .refine((value) => {
    if (value === 'mock://') return true;
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

const modelEntry = z.union([
  z.string().min(1),
  z.object({ name: z.string().min(1), upstream: z.string().min(1).optional() }).strict(),
]);

const headerMap = z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'invalid header name'), z.string());

export const providerCreateSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'lowercase letters, digits, _ . - (max 64)'),
    protocol: z.enum(PROVIDER_PROTOCOLS),
    baseUrl,
    apiKey: z.string().min(1).optional(),
    models: z.array(modelEntry).min(1),
    priority: z.number().int().default(0),
    weight: z.number().int().min(0).default(1),
    headers: headerMap.default({}),
    enabled: z.boolean().default(true),
    firstByteTimeoutMs: z.number().int().positive().optional(),
    idleTimeoutMs: z.number().int().positive().optional(),
  })
  .strict();

export const providerUpdateSchema = providerCreateSchema.omit({ id: true }).partial().strict();

export type ProviderCreate = z.infer<typeof providerCreateSchema>;
export type ProviderUpdate = z.infer<typeof providerUpdateSchema>;

export const modelRoutesOf = (models: ProviderCreate['models']) =>
  models.map((entry) =>
    typeof entry === 'string' ? { publicModel: entry, upstreamModel: entry } : { publicModel: entry.name, upstreamModel: entry.upstream ?? entry.name },
  );
