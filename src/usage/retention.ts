import type { Env } from '../env';
import { archiveChunk } from './archive';
import { DAY_MS } from './days';

export const DEFAULT_RAW_DAYS = 7;
/**
 * A raw event row is also what makes a redelivered event harmless (usage-statements.ts): it must
 * outlive every redelivery. Queue messages are retained 4 days by default, then retried and
 * dead-lettered: 5 days covers them.
 */
export const MIN_RAW_DAYS = 5;

/** Days raw usage events stay in D1 (USAGE_RAW_DAYS, default 7, never below MIN_RAW_DAYS). */
export const rawWindowDays = (env: Env): number => {
  const configured = Number(env.USAGE_RAW_DAYS ?? DEFAULT_RAW_DAYS);
  return Number.isFinite(configured) ? Math.max(MIN_RAW_DAYS, configured) : DEFAULT_RAW_DAYS;
};

export interface PruneOptions {
  /** Rows per R2 object. */
  chunkRows?: number;
  /** Wall time one run may spend; the next cron run (every minute) continues where this one stopped. */
  budgetMs?: number;
}

export interface PruneOutcome {
  moved: number;
  objects: number;
  /** true when the run stopped at its budget with older rows still in D1. */
  backlog: boolean;
}

/**
 * Cron: moves raw usage events older than the raw window from D1 to R2 (archive.ts), chunk after
 * chunk until none is left or the run's budget is spent. Each chunk is one object, one D1 delete,
 * and safe to repeat, so a run cut short anywhere loses nothing and duplicates nothing.
 */
export const pruneUsageEvents = async (env: Env, now: number, options: PruneOptions = {}): Promise<PruneOutcome> => {
  const chunkRows = options.chunkRows ?? 2_000;
  const deadline = Date.now() + (options.budgetMs ?? 40_000);
  const cutoff = now - rawWindowDays(env) * DAY_MS;
  const outcome: PruneOutcome = { moved: 0, objects: 0, backlog: false };
  for (;;) {
    const chunk = await archiveChunk(env, cutoff, chunkRows);
    if (chunk.moved === 0) return outcome;
    outcome.moved += chunk.moved;
    outcome.objects += 1;
    if (Date.now() >= deadline) {
      outcome.backlog = true;
      console.warn(JSON.stringify({ message: 'usage archive sweep stopped at its budget; the next run continues', moved: outcome.moved }));
      return outcome;
    }
  }
};
