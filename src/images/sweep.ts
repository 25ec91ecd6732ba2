import type { Env } from '../env';
import { endTask } from './finish-task';
import { deleteInflight, getTask, listInflight } from './task-store';
import { isTerminal } from './task';

/**
 * A task untouched this long is stuck: every attempt is bounded by the upstream timeout (minutes)
 * and retries are at most a minute apart, so only a lost message or a consumer that died mid-attempt
 * after the queue gave up leaves a task here.
 */
export const STUCK_AFTER_MS = 15 * 60 * 1000;

/**
 * Cron: fails (and refunds) tasks that have been pending or running for too long, so no task stays
 * running forever. Returns the number of tasks it ended. The in-flight index is read from KV's list,
 * which is eventually consistent; a task missed now is caught by the next run.
 */
export const sweepStuckTasks = async (env: Env, now: number): Promise<number> => {
  let ended = 0;
  for await (const entry of listInflight(env)) {
    if (now - (entry.metadata?.updatedAt ?? 0) < STUCK_AFTER_MS) continue;
    // The index may lag the task: decide on the task's own record.
    const task = await getTask(env, entry.id);
    if (task === null || isTerminal(task.status)) {
      await deleteInflight(env, entry.id);
      continue;
    }
    if (now - task.updatedAt < STUCK_AFTER_MS) continue;
    const message = `the task did not finish within ${STUCK_AFTER_MS / 60_000} minutes`;
    const result = await endTask(env, entry.id, 'failed', { code: 'timeout', message }, now);
    if (result?.status === 'failed') ended++;
  }
  return ended;
};
