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
import { foldClockOf, foldUsage, writeUsage, type FoldedSubject } from './usage-fold';
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
 * event or a pack of them (usage-message.ts). A batch writes its event rows, keyed by request so that
 * a repeat writes nothing (usageWriteStatements), and, when the fold is due (USAGE_FOLD_SECONDS), folds
 * every unfolded event into the rollups, hourly charges and balances in the same transaction
 * (usage-fold.ts). The whole batch goes to D1 in one transaction first, for throughput; if that
 * fails, neither one bad message nor the fold may hold back the others, so each message's events are
 * written in their own transaction and acked or retried alone, and the fold is tried on its own. A message is acked only after its
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
    const folded = await writeUsage(env, prepared.flatMap((entry) => entry.events), prices, foldClockOf(env));
    for (const entry of prepared) entry.message.ack();
    alertOnSpend(env, folded);
    return;
  } catch (error) {
    console.warn(JSON.stringify({ message: 'usage batch write failed; writing events one by one', size: prepared.length, error: String(error) }));
  }
  // Event rows alone, then the fold in its own transaction: whatever failed (a bad message or the fold
  // itself), it never holds back the other messages' events, and an unfolded event waits for a later fold.
  for (const entry of prepared) {
    try {
      await env.DB.batch(usageWriteStatements(env.DB, entry.events, prices));
      entry.message.ack();
    } catch (error) {
      retryLater(entry.message, error);
    }
  }
  await foldPendingUsage(env, Date.now());
};

/** Folds what is unfolded once the interval has passed, then alerts on it: the cron's backstop (a relay gone quiet) and the consumer's fallback. */
export const foldPendingUsage = async (env: Env, now: number): Promise<void> => {
  try {
    alertOnSpend(env, await foldUsage(env, foldClockOf(env, now)));
  } catch (error) {
    console.error(JSON.stringify({ message: 'usage fold failed; the next consumer batch or cron run folds', error: String(error) }));
  }
};

/**
 * Budget alerts read the month's spend from the rollups, so they follow the fold: the accounts and
 * keys it just counted. After the acks, so a slow receiver never holds the queue.
 */
const alertOnSpend = (env: Env, folded: readonly FoldedSubject[]): void => {
  if (folded.length === 0) return;
  const now = Date.now();
  waitUntil(
    spendAlertsFor(env, folded, now)
      .then((alerts) => raiseAlerts(env, alerts))
      .catch((error: unknown) => console.error(JSON.stringify({ message: 'spend alerts failed', error: String(error) }))),
  );
};
