import type { ImageFailure } from '../upstreams/image-failure';
import type { TaskError } from '../tasks/task';

/**
 * What a client may read about a failure, per failure code. The upstream's own words (which may name
 * the provider, echo its request ids or quote its configuration) go to the log only.
 */
const SAFE_MESSAGES: Readonly<Record<string, string>> = {
  upstream_error: 'the image upstream failed to generate the image',
  timeout: 'the image upstream did not answer in time',
  invalid_output: 'the image upstream did not return a usable image',
  content_blocked: 'the request was refused by the image upstream content filter',
  invalid_input: 'an input image could not be used',
  download_failed: 'an image could not be downloaded',
  misconfigured: 'the relay is not configured to serve this image model',
  model_not_found: 'no provider serves this image model any more',
  retries_exhausted: 'image generation failed',
};

/** The client-facing error for a failure (kind + safe message); the details are logged with the task id. */
export const publicTaskError = (taskId: string, failure: ImageFailure, providerId: string | undefined): TaskError => {
  console.error(JSON.stringify({ message: 'image attempt failed', taskId, providerId, code: failure.code, retryable: failure.retryable, detail: failure.message }));
  return { code: failure.code, message: SAFE_MESSAGES[failure.code] ?? 'image generation failed' };
};
