import * as z from 'zod';

const PLANS = ['free', 'pro', 'max5x', 'max20x', 'unlimited'] as const;
const limit = z.number().int().min(0).nullable();

export const quotaOverridesSchema = z
  .object({ requestsPer5h: limit, requestsPerWeek: limit, requestsPerMinute: limit, maxConcurrent: limit })
  .partial()
  .strict();

export const keyCreateSchema = z
  .object({
    name: z.string().min(1).max(200),
    accountId: z.string().min(1).optional(),
    plan: z.enum(PLANS).default('free'),
    scopes: z.array(z.enum(['chat', 'images'])).min(1).default(['chat']),
    models: z.array(z.string().min(1)).nullable().optional(),
    billing: z.enum(['subscription', 'prepaid']).default('subscription'),
    quotaOverrides: quotaOverridesSchema.optional(),
    monthlySpendCap: z.number().positive().nullable().optional(),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict();

export const keyUpdateSchema = keyCreateSchema.omit({ accountId: true }).partial().strict();

export type KeyCreate = z.infer<typeof keyCreateSchema>;
export type KeyUpdate = z.infer<typeof keyUpdateSchema>;
