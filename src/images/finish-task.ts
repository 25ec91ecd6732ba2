import type { Env } from '../env';
import { refundTask } from './billing';
import { enqueueImageMessage } from './messages';
import { getTask, putTask } from './task-store';
import { recordTaskUsage } from './task-usage';
import { isTerminal, type ImageTask, type TaskError, type TaskStatus } from './task';

/**
 * Ends a task as failed or cancelled (only from the listed states): terminal state, refund, webhook.
 * Terminal states are sticky: the latest KV copy is re-read and left alone if another writer already
 * ended the task, so a duplicate
 * message or a sweep racing a consumer cannot overwrite "completed". The refund sits behind the
 * ledger's uniqueness, so even two writers that both pass the check refund once.
 */
export const endTask = async (
  env: Env,
  taskId: string,
  status: 'failed' | 'cancelled',
  error: TaskError | null,
  now: number,
  from: readonly TaskStatus[] = ['pending', 'running'],
): Promise<ImageTask | null> => {
  const task = await getTask(env, taskId);
  if (task === null) return null;
  if (isTerminal(task.status) || !from.includes(task.status)) return task;
  const ended: ImageTask = { ...task, status, error, updatedAt: now };
  await putTask(env, ended);
  await refundTask(env, ended, now);
  await announceTerminal(env, ended);
  return ended;
};

/**
 * Every terminal transition (completed, failed, cancelled) ends here: queues the task's usage event
 * and its webhook delivery.
 */
export const announceTerminal = async (env: Env, task: ImageTask): Promise<void> => {
  await recordTaskUsage(env, task);
  if (task.webhook !== null) await enqueueImageMessage(env, { kind: 'webhook', taskId: task.id });
};
