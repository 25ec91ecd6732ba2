import type { Env } from '../../env';
import type { ImageTask } from './task';
import { readTaskRow, type TaskRow } from './task-rows';

/**
 * The image task keys of the TASKS namespace (other features keep their own prefixes there too; the
 * README's "KV keys" table lists them all):
 *   task:{id}      task JSON                       TASK_TTL_SECONDS
 *   file:{id}      image bytes + metadata {contentType,taskId}   FILE_TTL_SECONDS
 * A task's status, attempts, result and error are decided in its D1 row (task-transition.ts); the KV
 * copy follows it and every read takes those fields from D1, so a stale KV copy never shows a
 * cancelled task as running or a result that lost its race.
 */
export const TASK_TTL_SECONDS = 7 * 24 * 3600;
export const FILE_TTL_SECONDS = 24 * 3600;

const taskKey = (id: string) => `task:${id}`;
const fileKey = (id: string) => `file:${id}`;

export interface FileMetadata {
  contentType: string;
  taskId: string;
}

/** KV allows about one write per second per key; a quick pending → running → completed can exceed it. */
const withWriteRetry = async (write: () => Promise<void>): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
    }
  }
};

const parsed = <T>(json: string | null): T | null => (json === null ? null : (JSON.parse(json) as T));

/** The KV task with its decided fields taken from D1 (a task from before the D1 row existed is KV alone). */
export const withRow = (task: ImageTask, row: TaskRow | null): ImageTask => {
  if (row === null) return task;
  const decided: ImageTask = { ...task, status: row.status, attempts: row.attempts, updatedAt: row.updated_at, result: parsed(row.result), error: parsed(row.error) };
  if (row.provider_id !== null) decided.providerId = row.provider_id;
  if (row.upstream_model !== null) decided.upstreamModel = row.upstream_model;
  return decided;
};

export const getTask = async (env: Env, id: string): Promise<ImageTask | null> => {
  const [task, row] = await Promise.all([env.TASKS.get<ImageTask>(taskKey(id), 'json'), readTaskRow(env, id)]);
  return task === null ? null : withRow(task, row);
};

/** Writes the KV copy; call it after the D1 row moved, never to decide anything. */
export const putTask = async (env: Env, task: ImageTask): Promise<void> => {
  await withWriteRetry(() => env.TASKS.put(taskKey(task.id), JSON.stringify(task), { expirationTtl: TASK_TTL_SECONDS }));
};

export const deleteTask = async (env: Env, id: string): Promise<void> => {
  await env.TASKS.delete(taskKey(id));
};

export const putFile = (env: Env, id: string, bytes: Uint8Array, metadata: FileMetadata): Promise<void> =>
  withWriteRetry(() => env.TASKS.put(fileKey(id), bytes, { expirationTtl: FILE_TTL_SECONDS, metadata }));

export const getFile = async (env: Env, id: string): Promise<{ bytes: ArrayBuffer; metadata: FileMetadata } | null> => {
  const { value, metadata } = await env.TASKS.getWithMetadata<FileMetadata>(fileKey(id), 'arrayBuffer');
  return value === null || metadata === null ? null : { bytes: value, metadata };
};
