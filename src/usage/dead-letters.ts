import type { Env } from '../env';
import { foldPendingUsage, loadPrices } from './consumer';
import { eventsOfMessage, requestIdsOfMessage, type UsageMessageBody } from './usage-message';
import { usageWriteStatements } from './usage-statements';

/** The stored request_id column: the message's one request, or its pack's first (the body keeps them all). */
const requestIdOf = (body: unknown): string | null => requestIdsOfMessage(body)[0] ?? null;

/**
 * Consumer of polyrelay-usage-dlq. A message lands there after max_retries failed writes, and a DLQ
 * message expires with the queue's retention, so this consumer makes it durable: it tries the normal
 * idempotent write once more (the cause may have passed) and otherwise stores the body verbatim in
 * usage_dead_letters for an operator to fix and replay (replayDeadLetters). Only then is it acked.
 */
export const consumeUsageDeadLetters = async (batch: MessageBatch<UsageMessageBody>, env: Env): Promise<void> => {
  const prices = await loadPrices(env, batch.messages.flatMap((message) => eventsOfMessage(message.body)));
  for (const message of batch.messages) {
    try {
      await env.DB.batch(usageWriteStatements(env.DB, eventsOfMessage(message.body), prices));
      message.ack();
      continue;
    } catch (error) {
      try {
        await env.DB.prepare(
          'INSERT INTO usage_dead_letters (message_id, request_id, body, error, received_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING',
        )
          .bind(message.id, requestIdOf(message.body), JSON.stringify(message.body) ?? 'null', String(error), Date.now())
          .run();
        message.ack();
      } catch (storeError) {
        console.error(JSON.stringify({ message: 'usage dead letter not stored', messageId: message.id, error: String(storeError) }));
        message.retry({ delaySeconds: 60 });
      }
    }
  }
  await foldPendingUsage(env, Date.now());
};

interface DeadLetterRow {
  message_id: string;
  body: string;
}

/**
 * Writes stored dead letters through the normal idempotent path, oldest first, deleting each one in
 * the same D1 batch as its writes; a letter that still fails stays, with its new error.
 */
export const replayDeadLetters = async (env: Env, limit: number): Promise<{ replayed: number; failed: number; remaining: number }> => {
  const rows = (await env.DB.prepare('SELECT message_id, body FROM usage_dead_letters ORDER BY received_at, message_id LIMIT ?1').bind(limit).all<DeadLetterRow>()).results;
  const bodies = rows.map((row) => eventsOfMessage(JSON.parse(row.body)));
  const prices = await loadPrices(env, bodies.flat());
  let replayed = 0;
  for (const [index, row] of rows.entries()) {
    try {
      const remove = env.DB.prepare('DELETE FROM usage_dead_letters WHERE message_id = ?1').bind(row.message_id);
      await env.DB.batch([...usageWriteStatements(env.DB, bodies[index] ?? [], prices), remove]);
      replayed++;
    } catch (error) {
      await env.DB.prepare('UPDATE usage_dead_letters SET error = ?1 WHERE message_id = ?2').bind(String(error), row.message_id).run();
    }
  }
  await foldPendingUsage(env, Date.now());
  const remaining = (await env.DB.prepare('SELECT COUNT(*) AS n FROM usage_dead_letters').first<{ n: number }>())?.n ?? 0;
  return { replayed, failed: rows.length - replayed, remaining };
};
