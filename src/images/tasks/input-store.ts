import type { Env } from '../../env';
import type { ImageBytes } from '../image-bytes';
import { ImageFailure } from '../upstreams/image-failure';
import type { StoredUpload } from './task';
import { TASK_TTL_SECONDS } from './task-store';

/**
 * The uploaded files of an edit, kept while the task waits: `input:{task id}:{index}` in TASKS, one
 * value per file (each at most 20 MiB, under KV's 25 MiB value limit), with the task's TTL. Queue
 * messages carry only the task id (they are capped at 128 KB), and the task JSON only the files'
 * sizes and digests, so polls never read the bytes. Deleted when the task ends; the TTL covers a
 * task whose end never ran its announcement.
 */
const inputKey = (taskId: string, index: number): string => `input:${taskId}:${index}`;

export interface TaskInputs {
  images: ImageBytes[];
  mask: ImageBytes | null;
}

export const putTaskInputs = async (env: Env, taskId: string, files: readonly ImageBytes[]): Promise<void> => {
  await Promise.all(files.map((file, index) => env.TASKS.put(inputKey(taskId, index), file.bytes, { expirationTtl: TASK_TTL_SECONDS })));
};

/**
 * The files of a task in upload order. KV reads elsewhere than the writer's location can lag its
 * writes, so a missing file is a retryable failure: the queue's backoff gives the write time to land.
 */
export const getTaskInputs = async (env: Env, taskId: string, uploads: readonly StoredUpload[]): Promise<TaskInputs> => {
  const values = await Promise.all(uploads.map((_, index) => env.TASKS.get(inputKey(taskId, index), 'arrayBuffer')));
  const inputs: TaskInputs = { images: [], mask: null };
  uploads.forEach((upload, index) => {
    const value = values[index];
    if (value === null || value === undefined) throw new ImageFailure('invalid_input', `input file ${index} of the task is not readable (yet)`, true);
    const file = { bytes: new Uint8Array(value), contentType: upload.contentType };
    if (upload.role === 'mask') inputs.mask = file;
    else inputs.images.push(file);
  });
  return inputs;
};

export const deleteTaskInputs = async (env: Env, taskId: string, uploads: readonly StoredUpload[] | undefined): Promise<void> => {
  if (uploads === undefined || uploads.length === 0) return;
  await Promise.all(uploads.map((_, index) => env.TASKS.delete(inputKey(taskId, index))));
};
