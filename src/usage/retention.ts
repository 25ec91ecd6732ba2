import type { Env } from '../env';

/** Raw usage events are kept this long; the daily rollup (usage_daily) is kept for ever. */
export const USAGE_EVENT_RETENTION_DAYS = 400;

/** Cron: deletes raw usage events past retention, in bounded chunks so one run never holds D1 long. */
export const pruneUsageEvents = async (env: Env, now: number): Promise<number> => {
  const cutoff = now - USAGE_EVENT_RETENTION_DAYS * 86_400_000;
  let deleted = 0;
  for (let round = 0; round < 20; round++) {
    const result = await env.DB.prepare(
      'DELETE FROM usage_events WHERE request_id IN (SELECT request_id FROM usage_events WHERE created_at < ?1 LIMIT 5000)',
    )
      .bind(cutoff)
      .run();
    deleted += result.meta.changes;
    if (result.meta.changes < 5000) break;
  }
  return deleted;
};
