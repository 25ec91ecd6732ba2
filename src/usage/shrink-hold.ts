import type { Env } from '../env';
import type { UsageEvent } from './event';
import { ledgerEntryId, ledgerReference } from './ledger';
import { costMicros, priceLookupNames, priceOf, type ModelPrice } from './pricing';

interface PriceRow {
  model: string;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
}

/**
 * A prepaid request reserves its estimated maximum cost (spend-hold.ts), capped at the balance, and
 * the usage queue settles that reservation only when it writes the request's event: a batch timeout
 * and a write later, longer under a backlog. With a balance below one estimate the reservation is the
 * whole balance, so a request sent right after the previous one ended was refused "balance is $0.00"
 * until the queue caught up. When a request ends its cost is known, so its hold shrinks to that cost
 * at once, the ledger row and the balance together (the balance stays the ledger's sum); the event's
 * write then settles the smaller hold as before. A hold already settled or released is left alone, and
 * a request that cost more than it reserved keeps its hold (the settlement charges the difference).
 */
export const shrinkSpendHold = async (env: Env, event: UsageEvent): Promise<void> => {
  if (event.billing !== 'prepaid' || event.ledgerSettled === true) return;
  const names = priceLookupNames([event]);
  const rows = await env.DB.prepare(
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
  const cost = event.costMicros ?? costMicros(event.usage, priceOf(prices, event));
  const holdId = ledgerEntryId('hold', ledgerReference('usage', event.accountId, event.requestId));
  // Open (settling deletes a hold) and larger than the cost, and only while the balance left could not
  // cover another reservation of this size: with room to spare the queue's settlement is soon enough,
  // and the shrink's two row writes are saved (most prepaid requests at scale).
  const shrinkable = `-h.amount_micros > ?2 AND (SELECT balance_micros FROM accounts WHERE id = h.account_id) < -h.amount_micros`;
  await env.DB.batch([
    env.DB.prepare(
      `UPDATE accounts SET balance_micros = balance_micros + (SELECT -h.amount_micros - ?2 FROM ledger h WHERE h.id = ?1)
       WHERE id = ?3 AND EXISTS (SELECT 1 FROM ledger h WHERE h.id = ?1 AND h.account_id = ?3 AND ${shrinkable})`,
    ).bind(holdId, cost, event.accountId),
    // The row follows the balance move above (changes() = 1): the shrink condition reads the balance that move just changed.
    env.DB.prepare('UPDATE ledger SET amount_micros = -?2 WHERE id = ?1 AND changes() = 1').bind(holdId, cost),
  ]);
};
