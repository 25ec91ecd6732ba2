import { inArray } from 'drizzle-orm';
import { dbOf, tables } from '../db/client';
import { chunksOf, D1_MAX_BOUND_PARAMETERS } from '../db/d1-limits';
import type { Env } from '../env';
import type { UsageEvent } from './event';
import { priceLookupNames, priceOf, type ModelPrice } from './pricing';
import { usageEventStatements } from './usage-statements';

interface PreparedMessage {
  message: Message<UsageEvent>;
  statements: D1PreparedStatement[];
}

export const loadPrices = async (env: Env, events: readonly UsageEvent[]): Promise<Map<string, ModelPrice>> => {
  const models = priceLookupNames(events);
  const db = dbOf(env.DB);
  const [first, ...rest] = chunksOf(models, D1_MAX_BOUND_PARAMETERS).map((chunk) => db.select().from(tables.modelPrices).where(inArray(tables.modelPrices.model, chunk)));
  if (first === undefined) return new Map();
  const rows = (await db.batch([first, ...rest])).flat();
  return new Map(rows.map((row) => [row.model, row]));
};

const retryLater = (message: Message<UsageEvent>, error: unknown): void => {
  const requestId = typeof message.body === 'object' && message.body !== null ? message.body.requestId : undefined;
  console.error(JSON.stringify({ message: 'usage write failed', requestId, attempts: message.attempts, error: String(error) }));
  // After max_retries (wrangler.toml) the queue moves the message to polyrelay-usage-dlq: kept, never dropped.
  message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
};

/**
 * Usage queue consumer, exactly-once in effect over at-least-once delivery. Every write an event
 * causes (event row, daily rollup, prepaid charge) is keyed by its request id and guarded so that a
 * repeat writes nothing (see usageEventStatements). The whole batch goes to D1 in one transaction
 * first, for throughput; if that fails, one bad event must not hold back the others, so each event
 * is written in its own transaction and acked or retried alone. A message is acked only after its
 * writes committed, so a crash at any point leaves it to be redelivered, and the redelivery is harmless.
 */
export const consumeUsageBatch = async (batch: MessageBatch<UsageEvent>, env: Env): Promise<void> => {
  const prices = await loadPrices(env, batch.messages.map((message) => message.body));
  const prepared: PreparedMessage[] = [];
  for (const message of batch.messages) {
    try {
      prepared.push({ message, statements: usageEventStatements(env.DB, message.body, priceOf(prices, message.body)) });
    } catch (error) {
      retryLater(message, error);
    }
  }
  if (prepared.length === 0) return;
  try {
    await env.DB.batch(prepared.flatMap((entry) => entry.statements));
    for (const entry of prepared) entry.message.ack();
    return;
  } catch (error) {
    if (prepared.length === 1 && prepared[0] !== undefined) return retryLater(prepared[0].message, error);
    console.warn(JSON.stringify({ message: 'usage batch write failed; writing events one by one', size: prepared.length, error: String(error) }));
  }
  for (const entry of prepared) {
    try {
      await env.DB.batch(entry.statements);
      entry.message.ack();
    } catch (error) {
      retryLater(entry.message, error);
    }
  }
};
