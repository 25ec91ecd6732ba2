import { asc, eq, sql } from 'drizzle-orm';
import { batchAll, chunkedInsert } from '../../db/chunked-insert';
import { dbOf, tables } from '../../db/client';
import type { Env } from '../../env';
import { invalidRequest, RelayError } from '../../errors';
import { dollarsOf, microsOf } from '../../usage/money';
import type { PriceInput, PriceListInput } from '../price-schema';

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

const findPrice = async (env: Env, model: string): Promise<PriceRow | undefined> => {
  const [row] = await dbOf(env.DB).select().from(tables.modelPrices).where(eq(tables.modelPrices.model, model)).limit(1);
  return row;
};

const notFound = (model: string) => new RelayError('not_found', 404, `no price for model "${model}"`);

export type PriceView = ReturnType<typeof priceView>;

/**
 * One price per public model. A change applies to usage events consumed after it; stored events keep
 * the cost they were recorded with. Model names may contain slashes.
 */
export const listPrices = async (env: Env): Promise<PriceView[]> =>
  (await dbOf(env.DB).select().from(tables.modelPrices).orderBy(asc(tables.modelPrices.model))).map(priceView);

/** A whole catalog's prices in one atomic write; the last entry for a model wins, as over one write per model. */
export const setPrices = async (env: Env, input: PriceListInput): Promise<PriceView[]> => {
  const db = dbOf(env.DB);
  const now = Date.now();
  const rows = [...new Map(input.prices.map(({ model, ...price }) => [model, { model, ...priceFields(price, now) }])).values()];
  await batchAll(
    db,
    chunkedInsert(tables.modelPrices, rows, (chunk) => db.insert(tables.modelPrices).values(chunk).onConflictDoUpdate({ target: tables.modelPrices.model, set: fromExcluded })),
  );
  return rows.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0)).map(priceView);
};

export const getPrice = async (env: Env, model: string): Promise<PriceView> => {
  const row = await findPrice(env, model);
  if (row === undefined) throw notFound(model);
  return priceView(row);
};

/** Sets one model's price; `created` is false when it replaced an earlier one. */
export const setPrice = async (env: Env, model: string, input: PriceInput): Promise<{ price: PriceView; created: boolean }> => {
  if (model === '') throw invalidRequest('model: must not be empty', 'model');
  const existed = (await findPrice(env, model)) !== undefined;
  const fields = priceFields(input, Date.now());
  await dbOf(env.DB)
    .insert(tables.modelPrices)
    .values({ model, ...fields })
    .onConflictDoUpdate({ target: tables.modelPrices.model, set: fields });
  return { price: await getPrice(env, model), created: !existed };
};

export const deletePrice = async (env: Env, model: string): Promise<{ model: string; deleted: true }> => {
  if ((await findPrice(env, model)) === undefined) throw notFound(model);
  await dbOf(env.DB).delete(tables.modelPrices).where(eq(tables.modelPrices.model, model));
  return { model, deleted: true };
};
