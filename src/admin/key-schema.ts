import * as z from 'zod/mini';
import { KEY_KINDS } from '../auth/key-record';

export const PLANS = ['free', 'pro', 'max5x', 'max20x', 'unlimited'] as const;
export const SCOPES = ['chat', 'images'] as const;
export const BILLING_MODES = ['subscription', 'prepaid'] as const;

const limit = z.nullable(z.number().check(z.int(), z.gte(0)));

export const quotaOverridesSchema = z.partial(
  z.strictObject({ requestsPer5h: limit, requestsPerWeek: limit, requestsPerMinute: limit, maxConcurrent: limit }),
);

export const keyCreateSchema = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  kind: z._default(z.enum(KEY_KINDS), 'inference'),
  accountId: z.optional(z.string().check(z.minLength(1))),
  plan: z._default(z.enum(PLANS), 'free'),
  scopes: z._default(z.array(z.enum(SCOPES)).check(z.minLength(1)), ['chat']),
  models: z.optional(z.nullable(z.array(z.string().check(z.minLength(1))))),
  billing: z._default(z.enum(BILLING_MODES), 'subscription'),
  quotaOverrides: z.optional(quotaOverridesSchema),
  monthlySpendCap: z.optional(z.nullable(z.number().check(z.positive()))),
  expiresAt: z.optional(z.nullable(z.iso.datetime({ offset: true }))),
});

/** Strict like the create schema: omit and partial keep its catchall. */
export const keyUpdateSchema = z.partial(z.omit(keyCreateSchema, { accountId: true }));

export type KeyCreate = z.infer<typeof keyCreateSchema>;
export type KeyUpdate = z.infer<typeof keyUpdateSchema>;
