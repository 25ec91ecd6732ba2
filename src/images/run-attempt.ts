import { configOf, type Env } from '../env';
import { loadRouteTable } from '../routing/route-table';
import { announceTerminal, endTask } from './finish-task';
import { newFileId } from './ids';
import { toImageFailure } from './image-failure';
import { generateImage } from './image-upstream';
import { backoffSeconds } from './messages';
import { resolveImageModel } from './resolve-image-model';
import { getTask, putFile, putTask } from './task-store';
import { isTerminal, type ImageTask } from './task';

/** Upstream calls per task before it fails; below the queue's max_retries (5) so the task, not the DLQ, decides. */
export const MAX_GENERATION_ATTEMPTS = 3;
const RETRY_BASE_SECONDS = 5;
const RETRY_CAP_SECONDS = 60;

export type AttemptOutcome = { kind: 'done' } | { kind: 'retry'; delaySeconds: number };

export const fileUrl = (task: ImageTask, fileId: string): string => `${task.fileOrigin}/v1/files/${fileId}`;

/**
 * One generation attempt for a task, from the queue consumer or inline (Prefer: wait). Safe to run
 * twice for the same task: a terminal task is left alone, a cancelled task is never sent upstream,
 * and a result that arrives after a cancel is discarded. Two concurrent attempts (a redelivered
 * message) may both call the upstream; the later completion wins and both files stay valid.
 */
export const runGenerationAttempt = async (env: Env, taskId: string, now: () => number = Date.now): Promise<AttemptOutcome> => {
  const task = await getTask(env, taskId);
  if (task === null || isTerminal(task.status)) return { kind: 'done' };
  if (task.attempts >= MAX_GENERATION_ATTEMPTS) {
    await endTask(env, taskId, 'failed', task.error ?? { code: 'retries_exhausted', message: 'image generation failed' }, now());
    return { kind: 'done' };
  }
  const candidates = resolveImageModel(await loadRouteTable(env), task.model, { needsImageInput: task.request.imageUrls.length > 0 });
  const candidate = candidates[task.attempts % Math.max(1, candidates.length)];
  if (candidate === undefined) {
    await endTask(env, taskId, 'failed', { code: 'model_not_found', message: `no provider serves the image model "${task.model}" any more` }, now());
    return { kind: 'done' };
  }
  const running: ImageTask = {
    ...task,
    status: 'running',
    attempts: task.attempts + 1,
    providerId: candidate.provider.id,
    upstreamModel: candidate.upstreamModel,
    updatedAt: now(),
  };
  await putTask(env, running);

  try {
    const image = await generateImage(env, {
      candidate,
      request: task.request,
      allowPrivateUrls: configOf(env).allowPrivateUrls,
      signal: new AbortController().signal, // attempts run to completion; the upstream timeout bounds them
    });
    const latest = await getTask(env, taskId);
    if (latest === null || isTerminal(latest.status)) return { kind: 'done' };
    const fileId = newFileId();
    await putFile(env, fileId, image.bytes, { contentType: image.contentType, taskId });
    const completed: ImageTask = { ...latest, status: 'completed', result: { urls: [fileUrl(latest, fileId)] }, error: null, updatedAt: now() };
    await putTask(env, completed);
    await announceTerminal(env, completed);
    return { kind: 'done' };
  } catch (thrown) {
    const failure = toImageFailure(thrown);
    const error = { code: failure.code, message: failure.message };
    const latest = await getTask(env, taskId);
    if (latest === null || isTerminal(latest.status)) return { kind: 'done' };
    if (!failure.retryable || running.attempts >= MAX_GENERATION_ATTEMPTS) {
      await endTask(env, taskId, 'failed', error, now());
      return { kind: 'done' };
    }
    // Back to pending while the retry waits, so the task can still be cancelled without an upstream call.
    await putTask(env, { ...latest, status: 'pending', error, updatedAt: now() });
    return { kind: 'retry', delaySeconds: backoffSeconds(running.attempts, RETRY_BASE_SECONDS, RETRY_CAP_SECONDS) };
  }
};
