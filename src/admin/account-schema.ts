import * as z from 'zod/mini';
import '../zod-locale';

export const accountCreateSchema = z.strictObject({
  id: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - (max 64)'))),
  name: z.string().check(z.minLength(1), z.maxLength(200)),
});

/** Budget alerts: where they go (checked like client URLs, see url-safety.ts) and the monthly budget in dollars they measure. */
export const accountUpdateSchema = z.strictObject({
  name: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  alertWebhookUrl: z.optional(z.nullable(z.string().check(z.minLength(1)))),
  monthlyBudget: z.optional(z.nullable(z.number().check(z.positive(), z.lte(1_000_000_000)))),
});

/** Dollars, at least one micro-dollar, at most a million dollars per entry. */
const amount = z.number().check(z.gte(0.000001), z.lte(1_000_000));
export const REFERENCE = /^[A-Za-z0-9_.:-]{1,128}$/;
export const REFERENCE_RULE = 'letters, digits, _ . : - (max 128)';
const reference = z.string().check(z.regex(REFERENCE, REFERENCE_RULE));
export const topupSchema = z.strictObject({ amount, reference: z.optional(reference) });
export const refundSchema = z.strictObject({ amount, reference });

export type AccountCreate = z.infer<typeof accountCreateSchema>;
export type AccountUpdate = z.infer<typeof accountUpdateSchema>;
