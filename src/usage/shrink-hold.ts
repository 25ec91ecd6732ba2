import { readSessionOf } from '../db/read-session';
import type { Env } from '../env';
import { accountBalanceOf } from './account-balance';
import type { UsageEvent } from './event';
import { costMicros, priceLookupNames, priceOf, type ModelPrice } from './pricing';

interface PriceRow {
  model: string;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
}

/**
 * A prepaid request reserves its estimated maximum cost (spend-hold.ts), capped at the money
 * available, and D1 settles it only once the request's event is folded into the balance: a batch
 * timeout, a write and up to USAGE_FOLD_SECONDS later (usage-fold.ts), longer under a backlog. With a balance below one estimate the
 * reservation is all of it, so the next request would be refused until the queue caught up. When a
 * request ends its cost is known, so its hold becomes that cost at once (in the account's
 * AccountBalance object; D1 is not written).
 */
export const shrinkSpendHold = async (env: Env, event: UsageEvent): Promise<void> => {
  if (event.billing !== 'prepaid' || event.ledgerSettled === true) return;
  let cost = event.costMicros;
  if (cost === undefined) {
    const names = priceLookupNames([event]);
    const rows = await readSessionOf(env.DB)
      .prepare(
        `SELECT model, input_per_million_micros AS input, output_per_million_micros AS output, cache_read_per_million_micros AS cache_read,
           cache_write_per_million_micros AS cache_write FROM model_prices WHERE model IN (${names.map((_, index) => `?${index + 1}`).join(', ')})`,
      )
      .bind(...names)
      .all<PriceRow>();
    const prices = new Map<string, ModelPrice>(
      rows.results.map((row) => [
        row.model,
        { inputPerMillionMicros: row.input, outputPerMillionMicros: row.output, cacheReadPerMillionMicros: row.cache_read, cacheWritePerMillionMicros: row.cache_write },
      ]),
    );
    cost = costMicros(event.usage, priceOf(prices, event));
  }
  await accountBalanceOf(env, event.accountId).settleCost({ requestId: event.requestId, costMicros: cost });
};
