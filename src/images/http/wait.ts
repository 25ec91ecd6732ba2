import type { Env } from '../../env';
import { RelayError } from '../../errors';
import { bytesToBase64 } from '../image-bytes';
import { enqueueImageMessage } from '../queue/messages';
import { runGenerationAttempt } from '../queue/run-attempt';
import { getFile, getTask } from '../tasks/task-store';
import { isTerminal, type ImageTask } from '../tasks/task';

const DEFAULT_WAIT_SECONDS = 60;
const MAX_WAIT_SECONDS = 300;
const POLL_MS = 500;

/**
 * Reads RFC 7240 `Prefer: wait` / `wait=N` (N seconds, capped); undefined without it. A bare
 * `respond-async` keeps the default asynchronous answer.
 */
export const preferredWaitSeconds = (header: string | undefined): number | undefined => {
  if (header === undefined) return undefined;
  for (const token of header.split(/[,;]/)) {
    const [name, value] = token.trim().split('=').map((part) => part.trim());
    if (name?.toLowerCase() !== 'wait') continue;
    const seconds = value === undefined ? DEFAULT_WAIT_SECONDS : Number(value);
    if (!Number.isFinite(seconds) || seconds < 0) return DEFAULT_WAIT_SECONDS;
    return Math.min(Math.max(1, Math.floor(seconds)), MAX_WAIT_SECONDS);
  }
  return undefined;
};

/**
 * The first attempt of a waited-for task runs inside the request (no queue hop). A retry, or a crash
 * of the attempt itself, hands the task to the queue, where the consumer carries on.
 */
export const runFirstAttemptInline = async (env: Env, taskId: string): Promise<void> => {
  try {
    const outcome = await runGenerationAttempt(env, taskId);
    if (outcome.kind === 'retry') await enqueueImageMessage(env, { kind: 'generate', taskId }, outcome.delaySeconds);
  } catch (error) {
    console.error(JSON.stringify({ message: 'inline image attempt failed; queueing it', taskId, error: String(error) }));
    await enqueueImageMessage(env, { kind: 'generate', taskId });
  }
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls the task until it is terminal or the deadline passes; returns the latest copy. */
export const waitForTask = async (env: Env, task: ImageTask, deadline: number, first?: Promise<void>): Promise<ImageTask> => {
  if (first !== undefined) await Promise.race([first, sleep(Math.max(0, deadline - Date.now()))]);
  let current = (await getTask(env, task.id)) ?? task;
  while (!isTerminal(current.status) && Date.now() < deadline) {
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
    current = (await getTask(env, task.id)) ?? current;
  }
  return current;
};

export interface OpenAIImagesBody {
  created: number;
  data: Array<{ url: string } | { b64_json: string }>;
}

const fileIdOf = (url: string): string => url.slice(url.lastIndexOf('/') + 1);

/** A completed task in the OpenAI images shape; failures become errors the OpenAI SDK raises. */
export const openAIImagesBody = async (env: Env, task: ImageTask, format: 'url' | 'b64_json'): Promise<OpenAIImagesBody> => {
  if (task.status === 'failed') {
    throw new RelayError('api_error', 502, `image generation failed: ${task.error?.message ?? 'unknown error'}`, { code: task.error?.code });
  }
  if (task.status === 'cancelled') throw new RelayError('invalid_request', 409, 'the image task was cancelled', { code: 'task_cancelled' });
  const urls = task.result?.urls ?? [];
  const created = Math.floor(task.createdAt / 1000);
  if (format === 'url') return { created, data: urls.map((url) => ({ url })) };
  const data = await Promise.all(
    urls.map(async (url) => {
      const file = await getFile(env, fileIdOf(url));
      if (file === null) throw new RelayError('api_error', 500, 'the generated image has expired');
      return { b64_json: bytesToBase64(new Uint8Array(file.bytes)) };
    }),
  );
  return { created, data };
};
