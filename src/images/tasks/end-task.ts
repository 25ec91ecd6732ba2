import type { Env } from '../../env';
import { releaseTaskLease } from '../../quota/quota-client';
import { deleteTaskInputs } from './input-store';
import { enqueueImageMessage } from '../queue/messages';
import { getTask } from './task-store';
import { recordTaskUsage } from './task-usage';
import { readTaskRow } from './task-rows';
import { transition } from './transition';
import { type ImageTask, type TaskError, type TaskStatus } from './task';

/**
 * Ends a task as failed or cancelled from one of the listed states: the D1 move and the refund in
 * one transaction (transition.ts), then the KV copy, the lease and the webhook. A writer that
 * loses the race (the task completed, or another writer ended it) changes nothing and gets the
 * task as it now stands.
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
  if (task === null) {
    // The KV copy expired or never landed: the row alone still decides, refunds and frees the lease.
    const row = await readTaskRow(env, taskId);
    if (row !== null && from.includes(row.status) && (await transition(env, { id: taskId, accountId: row.account_id, status: row.status }, status, { error, now }))) {
      await releaseTaskLease(env, { keyId: row.key_id, leaseId: row.lease_id, admissionId: null });
    }
    return null;
  }
  if (!from.includes(task.status)) return task;
  const ended = await transition(env, task, status, { error, now });
  if (ended === null) return getTask(env, taskId);
  await announceTerminal(env, ended);
  return ended;
};

/**
 * Every terminal transition (completed, failed, cancelled) ends here, after the D1 move: releases
 * the task's concurrency lease, deletes its uploaded inputs and queues its usage event and its
 * webhook delivery.
 */
export const announceTerminal = async (env: Env, task: ImageTask): Promise<void> => {
  const row = await readTaskRow(env, task.id);
  if (row !== null) await releaseTaskLease(env, { keyId: row.key_id, leaseId: row.lease_id, admissionId: null });
  await deleteTaskInputs(env, task.id, task.request.uploads);
  await recordTaskUsage(env, task);
  if (task.webhook !== null) await enqueueImageMessage(env, { kind: 'webhook', taskId: task.id });
};
