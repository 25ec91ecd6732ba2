/** How a response body ended from the client's side. */
export type Delivery = 'complete' | 'aborted' | 'errored';

/**
 * Passes a stream through unchanged and reports how it ended: read to the end, cancelled by the
 * client (disconnect), or failed. Cancellation is forwarded to the source, which aborts the
 * upstream request at once so no orphaned generation keeps burning tokens.
 */
export const trackDelivery = (source: ReadableStream<Uint8Array>): { stream: ReadableStream<Uint8Array>; delivered: Promise<Delivery> } => {
  let settle: (delivery: Delivery) => void = () => {};
  const delivered = new Promise<Delivery>((resolve) => {
    settle = resolve;
  });
  const reader = source.getReader();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const result = await reader.read();
        if (result.done) {
          controller.close();
          settle('complete');
        } else {
          controller.enqueue(result.value);
        }
      } catch (error) {
        settle('errored');
        controller.error(error);
      }
    },
    async cancel(reason) {
      settle('aborted');
      await reader.cancel(reason).catch(() => {});
    },
  });
  return { stream, delivered };
};
