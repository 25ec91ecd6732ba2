import * as z from 'zod/mini';
import '../zod-locale';

const dollars = z.number().check(z.gte(0), z.lte(1_000_000));

/**
 * Dollars per 1M tokens (and per image), stored as integer micro-dollars. Cache prices default to the
 * input price: a model whose cache discount was never entered is billed like plain input, never for free.
 * Token prices default to 0, so an image model is priced by `perImage` alone; a body with no price at all is refused.
 */
const priceShape = {
  inputPerMillion: z._default(dollars, 0),
  outputPerMillion: z._default(dollars, 0),
  cacheReadPerMillion: z.optional(dollars),
  cacheWritePerMillion: z.optional(dollars),
  perImage: z._default(dollars, 0),
};

const PRICE_NAMES = ['inputPerMillion', 'outputPerMillion', 'cacheReadPerMillion', 'cacheWritePerMillion', 'perImage'] as const;

/** Checked on the raw body: defaults fill in zeros, so "no price given" is only visible before them. */
const namesAPrice = z.refine<Record<string, unknown>>((input) => PRICE_NAMES.some((name) => input[name] !== undefined), {
  message: `give at least one of ${PRICE_NAMES.join(', ')}`,
});

export const priceSchema = z.pipe(z.looseObject({}).check(namesAPrice), z.strictObject(priceShape));

/** PUT /admin/prices: a whole catalog's prices in one atomic write. */
export const priceListSchema = z.strictObject({
  prices: z
    .array(z.pipe(z.looseObject({}).check(namesAPrice), z.strictObject({ ...priceShape, model: z.string().check(z.minLength(1)) })))
    .check(z.minLength(1), z.maxLength(10_000)),
});

export type PriceInput = z.output<typeof priceSchema>;
export type PriceListInput = z.output<typeof priceListSchema>;
