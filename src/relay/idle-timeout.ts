import { RelayError } from '../errors';

/**
 * Wraps an upstream byte stream so that a gap of more than `idleMs` between chunks ends it (and
 * cancels the source, so a hung upstream connection is closed). Chunks are passed on as they
 * arrive; nothing is buffered. A failure (timeout, connection reset) is reported to `onFailure` and
 * then *closes* the stream instead of erroring it, so the reader gets what arrived and learns why it
 * stopped (readBodyText turns that into a retryable failure). Streams use StreamRelay's own reads.
 */
export const withIdleTimeout = (
  source: ReadableStream<Uint8Array>,
  idleMs: number,
  label: string,
  onFailure: (error: unknown) => void = () => {},
): ReadableStream<Uint8Array> => {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RelayError('timeout', 504, `${label}: upstream sent nothing for ${idleMs} ms`)), idleMs);
      });
      try {
        const result = await Promise.race([reader.read(), timeout]);
        if (result.done) controller.close();
        else controller.enqueue(result.value);
      } catch (error) {
        reader.cancel(error).catch(() => {});
        onFailure(error);
        controller.close();
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
};
