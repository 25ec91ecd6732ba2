import type { Env } from '../env';
import { foldPendingUsage, loadPrices } from './consumer';
import type { UsageEvent } from './event';
import { usageWriteStatements } from './usage-statements';

/** Where usage events wait in KV when neither the queue nor D1 took them; replayed by the cron. */
const SPILL_PREFIX = 'usage-spill:';
const SPILL_TTL_SECONDS = 30 * 24 * 3600;
const REPLAY_PAGE = 200;

const writeToD1 = async (env: Env, events: readonly UsageEvent[]): Promise<void> => {
  const prices = await loadPrices(env, events);
  await env.DB.batch(usageWriteStatements(env.DB, events, prices));
  // Its own transaction: a failing fold must not send written events to KV; they wait for a later fold.
  await foldPendingUsage(env, Date.now());
};

/**
 * The durable way around a refusing usage queue: the same idempotent writes the consumer makes, straight
 * to D1 (a later queue redelivery of the same request id writes nothing twice); if D1 refuses too, each
 * event is kept in KV under its request id until the cron writes it. Only if all three refuse is an
 * event lost, and then it is logged in full so an operator can replay it.
 */
export const persistUsageEvents = async (env: Env, events: readonly UsageEvent[]): Promise<void> => {
  try {
    await writeToD1(env, events);
    return;
  } catch (error) {
    console.warn(JSON.stringify({ message: 'usage events written to KV: queue and D1 refused', count: events.length, error: String(error) }));
  }
  await Promise.all(
    events.map((event) =>
      env.TASKS.put(`${SPILL_PREFIX}${event.requestId}`, JSON.stringify(event), { expirationTtl: SPILL_TTL_SECONDS }).catch((error: unknown) => {
        console.error(JSON.stringify({ message: 'usage event lost: queue, D1 and KV refused', event, error: String(error) }));
      }),
    ),
  );
};

/** Cron: writes spilled events through the normal idempotent path, then forgets them. */
export const replaySpilledUsage = async (env: Env): Promise<{ replayed: number }> => {
  let replayed = 0;
  let cursor: string | undefined;
  do {
    const page = await env.TASKS.list({ prefix: SPILL_PREFIX, limit: REPLAY_PAGE, ...(cursor === undefined ? {} : { cursor }) });
    const bodies = await Promise.all(page.keys.map((key) => env.TASKS.get(key.name)));
    const events = bodies.flatMap((body) => (body === null ? [] : [JSON.parse(body) as UsageEvent]));
    if (events.length > 0) {
      await writeToD1(env, events);
      replayed += events.length;
    }
    await Promise.all(page.keys.map((key) => env.TASKS.delete(key.name)));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined);
  return { replayed };
};
