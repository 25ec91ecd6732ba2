import { asc, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import * as z from 'zod/mini';
import { dbOf, tables } from '../db/client';
import type { AppEnv } from '../env';
import { RelayError } from '../errors';
import { dollarsOf, microsOf } from '../usage/money';
import { parseAdminBody } from './validate';

const dollars = z.number().check(z.gte(0), z.lte(1_000_000));

/**
 * Dollars per 1M tokens (and per image), stored as integer micro-dollars. Cache prices default to the
 * input price: a model whose cache discount was never entered is billed like plain input, never for free.
 */
const priceSchema = z.strictObject({
  inputPerMillion: dollars,
  outputPerMillion: dollars,
  cacheReadPerMillion: z.optional(dollars),
  cacheWritePerMillion: z.optional(dollars),
  perImage: z._default(dollars, 0),
});

type PriceRow = typeof tables.modelPrices.$inferSelect;

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
  .get('/:model{.+}', async (c) => {
    const row = await findPrice(c, c.req.param('model'));
    if (row === undefined) throw notFound(c.req.param('model'));
    return c.json(priceView(row));
  })
  .put('/:model{.+}', async (c) => {
    const model = c.req.param('model');
    const input = await parseAdminBody(c.req.raw, priceSchema);
    const existed = (await findPrice(c, model)) !== undefined;
    const fields = {
      inputPerMillionMicros: microsOf(input.inputPerMillion),
      outputPerMillionMicros: microsOf(input.outputPerMillion),
      cacheReadPerMillionMicros: microsOf(input.cacheReadPerMillion ?? input.inputPerMillion),
      cacheWritePerMillionMicros: microsOf(input.cacheWritePerMillion ?? input.inputPerMillion),
      perImageMicros: microsOf(input.perImage),
      updatedAt: Date.now(),
    };
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
