import type { Env } from '../../env';
import { endTask } from '../tasks/end-task';
import { staleTaskIds } from '../tasks/task-rows';

/**
 * A task untouched this long is stuck: every attempt is bounded by the upstream timeout (minutes)
 * and retries are at most a minute apart, so only a lost message or a consumer that died mid-attempt
 * leaves a task here.
 */
export const STUCK_AFTER_MS = 15 * 60 * 1000;
const SWEEP_PAGE = 100;

/**
 * Cron: fails (and refunds, and releases the lease of) tasks that have been pending or running for
 * too long, so no task stays running forever. Returns the number of tasks it ended. The candidates
 * come from the D1 rows, which are exact; endTask's compare-and-set leaves alone a task that moved
 * in the meantime.
 */
export const sweepStuckTasks = async (env: Env, now: number): Promise<number> => {
  let ended = 0;
  const message = `the task did not finish within ${STUCK_AFTER_MS / 60_000} minutes`;
  for (;;) {
    const ids = await staleTaskIds(env, now - STUCK_AFTER_MS, SWEEP_PAGE);
    let movedThisPage = 0;
    for (const id of ids) {
      const result = await endTask(env, id, 'failed', { code: 'timeout', message }, now);
      if (result?.status === 'failed' && result.updatedAt === now) movedThisPage++;
    }
    ended += movedThisPage;
    if (ids.length < SWEEP_PAGE || movedThisPage === 0) return ended;
  }
};
