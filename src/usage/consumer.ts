import { waitUntil } from 'cloudflare:workers';
import { inArray } from 'drizzle-orm';
import { raiseAlerts } from '../alerts/raise-alerts';
import { spendAlertsFor } from '../alerts/spend-alerts';
import { dbOf, tables } from '../db/client';
import { chunksOf, D1_MAX_BOUND_PARAMETERS } from '../db/d1-limits';
import type { Env } from '../env';
import type { UsageEvent } from './event';
import { priceLookupNames, type ModelPrice } from './pricing';
import { eventsOfMessage, requestIdsOfMessage, type UsageMessageBody } from './usage-message';
import { usageWriteStatements } from './usage-statements';

interface PreparedMessage {
  message: Message<UsageMessageBody>;
  events: UsageEvent[];
}

export const loadPrices = async (env: Env, events: readonly UsageEvent[]): Promise<Map<string, ModelPrice>> => {
  const models = priceLookupNames(events);
  const db = dbOf(env.DB);
  const [first, ...rest] = chunksOf(models, D1_MAX_BOUND_PARAMETERS).map((chunk) => db.select().from(tables.modelPrices).where(inArray(tables.modelPrices.model, chunk)));
  if (first === undefined) return new Map();
  const rows = (await db.batch([first, ...rest])).flat();
  return new Map(rows.map((row) => [row.model, row]));
};

const retryLater = (message: Message<UsageMessageBody>, error: unknown): void => {
  console.error(JSON.stringify({ message: 'usage write failed', requestIds: requestIdsOfMessage(message.body), attempts: message.attempts, error: String(error) }));
  // After max_retries (wrangler.toml) the queue moves the message to polyrelay-usage-dlq: kept, never dropped.
  message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
};

/**
 * Usage queue consumer, exactly-once in effect over at-least-once delivery. A message carries one
 * event or a pack of them (usage-message.ts). Every write an event causes (event row, daily rollup,
 * prepaid charge) is keyed by its request id and guarded so that a repeat writes nothing (see
 * usageWriteStatements). The whole batch goes to D1 in one transaction first, for throughput; if that
 * fails, one bad message must not hold back the others, so each message is written in its own
 * transaction and acked or retried alone. A message is acked only after its
 * writes committed, so a crash at any point leaves it to be redelivered, and the redelivery is harmless.
 */
export const consumeUsageBatch = async (batch: MessageBatch<UsageMessageBody>, env: Env): Promise<void> => {
  const prepared = batch.messages.map((message): PreparedMessage => ({ message, events: eventsOfMessage(message.body) }));
  if (prepared.length === 0) return;
  let prices: Map<string, ModelPrice>;
  try {
    prices = await loadPrices(env, prepared.flatMap((entry) => entry.events));
  } catch (error) {
    for (const entry of prepared) retryLater(entry.message, error);
    return;
  }
  try {
    await env.DB.batch(usageWriteStatements(env.DB, prepared.flatMap((entry) => entry.events), prices));
    for (const entry of prepared) entry.message.ack();
    alertOnSpend(env, prepared);
    return;
  } catch (error) {
    if (prepared.length === 1 && prepared[0] !== undefined) return retryLater(prepared[0].message, error);
    console.warn(JSON.stringify({ message: 'usage batch write failed; writing events one by one', size: prepared.length, error: String(error) }));
  }
  const written: PreparedMessage[] = [];
  for (const entry of prepared) {
    try {
      await env.DB.batch(usageWriteStatements(env.DB, entry.events, prices));
      entry.message.ack();
      written.push(entry);
    } catch (error) {
      retryLater(entry.message, error);
    }
  }
  alertOnSpend(env, written);
};

/** Budget alerts read the month's spend the batch just wrote; after the acks, so a slow receiver never holds the queue. */
const alertOnSpend = (env: Env, written: readonly PreparedMessage[]): void => {
  if (written.length === 0) return;
  const now = Date.now();
  const events = written.flatMap((entry) => entry.events);
  waitUntil(
    spendAlertsFor(env, events, now)
      .then((alerts) => raiseAlerts(env, alerts))
      .catch((error: unknown) => console.error(JSON.stringify({ message: 'spend alerts failed', error: String(error) }))),
  );
};
