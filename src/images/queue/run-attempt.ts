import { configOf, type Env } from '../../env';
import { loadRouteTable } from '../../routing/route-table';
import { announceTerminal, endTask } from '../tasks/end-task';
import { newFileId } from '../tasks/ids';
import { toImageFailure } from '../upstreams/image-failure';
import { generateImage } from '../upstreams/generate-image';
import { getTaskInputs } from '../tasks/input-store';
import { backoffSeconds } from './messages';
import { imageNeedsOf, resolveImageModel } from '../upstreams/resolve-image-model';
import { getTask, putFile } from '../tasks/task-store';
import { publicTaskError } from './task-error';
import { transition } from '../tasks/transition';
import type { ImageTask } from '../tasks/task';

/** Upstream calls per task before it fails; below the queue's max_retries (5) so the task, not the DLQ, decides. */
export const MAX_GENERATION_ATTEMPTS = 3;
const RETRY_BASE_SECONDS = 5;
const RETRY_CAP_SECONDS = 60;

export type AttemptOutcome = { kind: 'done' } | { kind: 'retry'; delaySeconds: number };

export const fileUrl = (task: ImageTask, fileId: string): string => `${task.fileOrigin}/v1/files/${fileId}`;

/**
 * One generation attempt for a task, from the queue consumer or inline (Prefer: wait). Safe to run
 * twice for the same task: the attempt starts only by moving the task pending → running in D1, so
 * a cancelled or terminal task is never sent upstream and a redelivered message cannot start a
 * second attempt beside a running one; a result is published only by moving running → completed,
 * so one that arrives after a cancel, a failure or a refund is discarded.
 */
export const runGenerationAttempt = async (env: Env, taskId: string, now: () => number = Date.now): Promise<AttemptOutcome> => {
  const task = await getTask(env, taskId);
  if (task === null || task.status !== 'pending') return { kind: 'done' };
  if (task.attempts >= MAX_GENERATION_ATTEMPTS) {
    await endTask(env, taskId, 'failed', task.error ?? { code: 'retries_exhausted', message: 'image generation failed' }, now(), ['pending']);
    return { kind: 'done' };
  }
  const candidates = resolveImageModel(await loadRouteTable(env), task.model, imageNeedsOf(task.request));
  const candidate = candidates[task.attempts % Math.max(1, candidates.length)];
  if (candidate === undefined) {
    await endTask(env, taskId, 'failed', { code: 'model_not_found', message: 'no provider serves this image model any more' }, now(), ['pending']);
    return { kind: 'done' };
  }
  const running = await transition(env, task, 'running', {
    attempts: task.attempts + 1,
    providerId: candidate.provider.id,
    upstreamModel: candidate.upstreamModel,
    now: now(),
  });
  if (running === null) return { kind: 'done' };

  try {
    const inputs = task.request.uploads === undefined ? { images: [], mask: null } : await getTaskInputs(env, taskId, task.request.uploads);
    const image = await generateImage(env, {
      candidate,
      request: task.request,
      uploads: inputs.images,
      mask: inputs.mask,
      allowPrivateUrls: configOf(env).allowPrivateUrls,
      signal: new AbortController().signal, // attempts run to completion; the upstream timeout bounds them
    });
    const fileId = newFileId();
    const result = { urls: [fileUrl(task, fileId)] };
    await putFile(env, fileId, image.bytes, { contentType: image.contentType, taskId });
    // The file is unreachable until this move publishes its URL; losing the move leaves it to expire.
    const completed = await transition(env, running, 'completed', { result, error: null, now: now() });
    if (completed !== null) await announceTerminal(env, completed);
    return { kind: 'done' };
  } catch (thrown) {
    const failure = toImageFailure(thrown);
    const error = publicTaskError(taskId, failure, candidate.provider.id);
    if (!failure.retryable || running.attempts >= MAX_GENERATION_ATTEMPTS) {
      await endTask(env, taskId, 'failed', error, now(), ['running']);
      return { kind: 'done' };
    }
    // Back to pending while the retry waits, so the task can still be cancelled without an upstream call.
    if ((await transition(env, running, 'pending', { error, now: now() })) === null) return { kind: 'done' };
    return { kind: 'retry', delaySeconds: backoffSeconds(running.attempts, RETRY_BASE_SECONDS, RETRY_CAP_SECONDS) };
  }
};
