/** Why one generation attempt failed, and whether another attempt could succeed. */
export class ImageFailure extends Error {
  override readonly name = 'ImageFailure';

  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** Upstream statuses worth another attempt: throttling, timeouts and server faults. */
export const isRetryableUpstreamStatus = (status: number): boolean => status === 408 || status === 409 || status === 429 || status >= 500;

export const toImageFailure = (error: unknown): ImageFailure => {
  if (error instanceof ImageFailure) return error;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return new ImageFailure('timeout', 'the image upstream did not answer in time', true);
  return new ImageFailure('upstream_error', error instanceof Error ? error.message : String(error), true);
};
