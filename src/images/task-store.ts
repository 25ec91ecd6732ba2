import type { Env } from '../env';
import type { ImageTask, TaskStatus } from './task';

/**
 * KV layout (all prefixes owned by the images feature):
 *   task:{id}      task JSON                       TASK_TTL_SECONDS
 *   inflight:{id}  "" + metadata {status,updatedAt} while pending/running, for the sweep
 *   file:{id}      image bytes + metadata {contentType,taskId}   FILE_TTL_SECONDS
 */
export const TASK_TTL_SECONDS = 7 * 24 * 3600;
export const FILE_TTL_SECONDS = 24 * 3600;

const taskKey = (id: string) => `task:${id}`;
const inflightKey = (id: string) => `inflight:${id}`;
const fileKey = (id: string) => `file:${id}`;
export const INFLIGHT_PREFIX = 'inflight:';

export interface InflightMetadata {
  status: TaskStatus;
  updatedAt: number;
}

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

export const getTask = (env: Env, id: string): Promise<ImageTask | null> => env.TASKS.get<ImageTask>(taskKey(id), 'json');

/** Writes the task and keeps the sweep's in-flight index in step with its status. */
export const putTask = async (env: Env, task: ImageTask): Promise<void> => {
  await withWriteRetry(() => env.TASKS.put(taskKey(task.id), JSON.stringify(task), { expirationTtl: TASK_TTL_SECONDS }));
  if (task.status === 'pending' || task.status === 'running') {
    const metadata: InflightMetadata = { status: task.status, updatedAt: task.updatedAt };
    await withWriteRetry(() => env.TASKS.put(inflightKey(task.id), '', { expirationTtl: TASK_TTL_SECONDS, metadata }));
  } else {
    await env.TASKS.delete(inflightKey(task.id));
  }
};

export const deleteTask = async (env: Env, id: string): Promise<void> => {
  await Promise.all([env.TASKS.delete(taskKey(id)), env.TASKS.delete(inflightKey(id))]);
};

export const deleteInflight = (env: Env, id: string): Promise<void> => env.TASKS.delete(inflightKey(id));

export interface InflightEntry {
  id: string;
  metadata: InflightMetadata | null;
}

export async function* listInflight(env: Env): AsyncGenerator<InflightEntry> {
  let cursor: string | undefined;
  do {
    const page = await env.TASKS.list<InflightMetadata>({ prefix: INFLIGHT_PREFIX, cursor });
    for (const key of page.keys) yield { id: key.name.slice(INFLIGHT_PREFIX.length), metadata: key.metadata ?? null };
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined);
}

export const putFile = (env: Env, id: string, bytes: Uint8Array, metadata: FileMetadata): Promise<void> =>
  withWriteRetry(() => env.TASKS.put(fileKey(id), bytes, { expirationTtl: FILE_TTL_SECONDS, metadata }));

export const getFile = async (env: Env, id: string): Promise<{ bytes: ArrayBuffer; metadata: FileMetadata } | null> => {
  const { value, metadata } = await env.TASKS.getWithMetadata<FileMetadata>(fileKey(id), 'arrayBuffer');
  return value === null || metadata === null ? null : { bytes: value, metadata };
};
