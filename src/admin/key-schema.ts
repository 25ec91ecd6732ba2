import * as z from 'zod/mini';
import { COSTLY_FEATURE_SCOPES } from '../protocols/shared/costly-feature';
import { KEY_KINDS } from '../auth/key-record';

export const PLANS = ['free', 'pro', 'max5x', 'max20x', 'unlimited'] as const;
/** What a key may do: the chat and image surfaces, and the upstream features that cost more than their tokens (src/protocols/shared/costly-feature.ts). */
export const SCOPES = ['chat', 'images', ...COSTLY_FEATURE_SCOPES] as const;
export const BILLING_MODES = ['subscription', 'prepaid'] as const;

const limit = z.nullable(z.number().check(z.int(), z.gte(0)));

export const quotaOverridesSchema = z.partial(
  z.strictObject({
    requestsPer5h: limit,
    requestsPerWeek: limit,
    requestsPerMinute: limit,
    maxConcurrent: limit,
    tokensPerMinute: limit,
    tokensPerDay: limit,
  }),
);

const keyFields = {
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  kind: z.enum(KEY_KINDS),
  plan: z.enum(PLANS),
  scopes: z.array(z.enum(SCOPES)).check(z.minLength(1)),
  models: z.nullable(z.array(z.string().check(z.minLength(1)))),
  billing: z.enum(BILLING_MODES),
  quotaOverrides: quotaOverridesSchema,
  monthlySpendCap: z.nullable(z.number().check(z.positive())),
  expiresAt: z.nullable(z.iso.datetime({ offset: true })),
};

export const keyCreateSchema = z.strictObject({
  name: keyFields.name,
  kind: z._default(keyFields.kind, 'inference'),
  accountId: z.optional(z.string().check(z.minLength(1))),
  plan: z._default(keyFields.plan, 'free'),
  scopes: z._default(keyFields.scopes, ['chat']),
  models: z.optional(keyFields.models),
  billing: z._default(keyFields.billing, 'subscription'),
  quotaOverrides: z.optional(keyFields.quotaOverrides),
  monthlySpendCap: z.optional(keyFields.monthlySpendCap),
  expiresAt: z.optional(keyFields.expiresAt),
});

/**
 * Built from the fields without their create defaults: a PATCH changes only what it names (a partial
 * of the create schema filled kind, plan, scopes and billing back to their defaults on every PATCH).
 */
export const keyUpdateSchema = z.partial(z.strictObject(keyFields));

export type KeyCreate = z.infer<typeof keyCreateSchema>;
export type KeyUpdate = z.infer<typeof keyUpdateSchema>;
