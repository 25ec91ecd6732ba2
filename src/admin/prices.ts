import { asc, eq, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import * as z from 'zod/mini';
import { batchAll, chunkedInsert } from '../db/chunked-insert';
import { dbOf, tables } from '../db/client';
import type { AppEnv } from '../env';
import { RelayError } from '../errors';
import { dollarsOf, microsOf } from '../usage/money';
import { parseAdminBody } from './validate';

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

const priceSchema = z.pipe(z.looseObject({}).check(namesAPrice), z.strictObject(priceShape));

/** PUT /admin/prices: a whole catalog's prices in one atomic write. */
const priceListSchema = z.strictObject({
  prices: z
    .array(z.pipe(z.looseObject({}).check(namesAPrice), z.strictObject({ ...priceShape, model: z.string().check(z.minLength(1)) })))
    .check(z.minLength(1), z.maxLength(10_000)),
});

type PriceInput = z.output<typeof priceSchema>;
type PriceRow = typeof tables.modelPrices.$inferSelect;

const priceFields = (input: PriceInput, now: number) => ({
  inputPerMillionMicros: microsOf(input.inputPerMillion),
  outputPerMillionMicros: microsOf(input.outputPerMillion),
  cacheReadPerMillionMicros: microsOf(input.cacheReadPerMillion ?? input.inputPerMillion),
  cacheWritePerMillionMicros: microsOf(input.cacheWritePerMillion ?? input.inputPerMillion),
  perImageMicros: microsOf(input.perImage),
  updatedAt: now,
});

/** On conflict each row takes its own new values (excluded.*), so the SET clause binds nothing. */
const fromExcluded = {
  inputPerMillionMicros: sql.raw('excluded.input_per_million_micros'),
  outputPerMillionMicros: sql.raw('excluded.output_per_million_micros'),
  cacheReadPerMillionMicros: sql.raw('excluded.cache_read_per_million_micros'),
  cacheWritePerMillionMicros: sql.raw('excluded.cache_write_per_million_micros'),
  perImageMicros: sql.raw('excluded.per_image_micros'),
  updatedAt: sql.raw('excluded.updated_at'),
};

const priceView = (row: PriceRow) => ({
  model: row.model,
  inputPerMillion: dollarsOf(row.inputPerMillionMicros),
  outputPerMillion: dollarsOf(row.outputPerMillionMicros),
  cacheReadPerMillion: dollarsOf(row.cacheReadPerMillionMicros),
  cacheWritePerMillion: dollarsOf(row.cacheWritePerMillionMicros),
  perImage: dollarsOf(row.perImageMicros),
  micros: {
    inputPerMillion: row.inputPerMillionMicros,
    outputPerMillion: row.outputPerMillionMicros,
    cacheReadPerMillion: row.cacheReadPerMillionMicros,
    cacheWritePerMillion: row.cacheWritePerMillionMicros,
    perImage: row.perImageMicros,
  },
  updatedAt: new Date(row.updatedAt).toISOString(),
});

const findPrice = async (c: { env: AppEnv['Bindings'] }, model: string): Promise<PriceRow | undefined> => {
  const [row] = await dbOf(c.env.DB).select().from(tables.modelPrices).where(eq(tables.modelPrices.model, model)).limit(1);
  return row;
};

const notFound = (model: string) => new RelayError('not_found', 404, `no price for model "${model}"`);

/**
 * /admin/prices: one price per public model. A change applies to usage events consumed after it;
 * stored events keep the cost they were recorded with. Model names may contain slashes.
 */
export const priceAdminRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const rows = await dbOf(c.env.DB).select().from(tables.modelPrices).orderBy(asc(tables.modelPrices.model));
    return c.json({ object: 'list', data: rows.map(priceView) });
  })
  .put('/', async (c) => {
    const input = await parseAdminBody(c.req.raw, priceListSchema);
    const db = dbOf(c.env.DB);
    const now = Date.now();
    // The last entry for a model wins, as it would over one PUT per model.
    const rows = [...new Map(input.prices.map(({ model, ...price }) => [model, { model, ...priceFields(price, now) }])).values()];
    await batchAll(
      db,
      chunkedInsert(tables.modelPrices, rows, (chunk) => db.insert(tables.modelPrices).values(chunk).onConflictDoUpdate({ target: tables.modelPrices.model, set: fromExcluded })),
    );
    return c.json({ object: 'list', data: rows.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0)).map(priceView) });
  })
  .get('/:model{.+}', async (c) => {
    const row = await findPrice(c, c.req.param('model'));
    if (row === undefined) throw notFound(c.req.param('model'));
    return c.json(priceView(row));
  })
  .put('/:model{.+}', async (c) => {
    const model = c.req.param('model');
    const input = await parseAdminBody(c.req.raw, priceSchema);
    const existed = (await findPrice(c, model)) !== undefined;
    const fields = priceFields(input, Date.now());
    await dbOf(c.env.DB)
      .insert(tables.modelPrices)
      .values({ model, ...fields })
      .onConflictDoUpdate({ target: tables.modelPrices.model, set: fields });
    const row = await findPrice(c, model);
    if (row === undefined) throw notFound(model);
    return c.json(priceView(row), existed ? 200 : 201);
  })
  .delete('/:model{.+}', async (c) => {
    const model = c.req.param('model');
    if ((await findPrice(c, model)) === undefined) throw notFound(model);
    await dbOf(c.env.DB).delete(tables.modelPrices).where(eq(tables.modelPrices.model, model));
    return c.json({ model, deleted: true });
  });
