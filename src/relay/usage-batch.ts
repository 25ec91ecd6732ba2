import type { UsageEvent } from '../usage/event';

/** How long events from concurrent requests gather before one sendBatch; and the batch cap (Queues allow 100). */
const GATHER_MS = 10;
const MAX_BATCH = 100;

interface OpenBatch {
  events: UsageEvent[];
  sent: Promise<void>;
  sendNow: () => void;
}

let open: OpenBatch | undefined;

const startBatch = (queue: Queue<unknown>): OpenBatch => {
  let sendNow: () => void = () => {};
  const due = new Promise<void>((resolve) => {
    sendNow = resolve;
    setTimeout(resolve, GATHER_MS);
  });
  const batch: OpenBatch = { events: [], sendNow, sent: Promise.resolve() };
  batch.sent = due
    .then(async () => {
      if (open === batch) open = undefined;
      const messages = batch.events.map((body) => ({ body }));
      // One retry: a refused send is usually a blip, and these events are the only record of the requests.
      await queue.sendBatch(messages).catch(() => queue.sendBatch(messages));
    })
    .catch((error: unknown) => {
      console.error(JSON.stringify({ message: 'usage events could not be queued', requestIds: batch.events.map((event) => event.requestId), error: String(error) }));
    });
  return batch;
};

/**
 * Hands a usage event to the usage queue, gathered with the events of concurrent requests of this
 * isolate into one `sendBatch` (one queue call per GATHER_MS instead of one per request). Every
 * request that added an event keeps itself alive (waitUntil) until its batch is sent, so nothing
 * is dropped when a request ends; the consumer is idempotent per request id either way.
 */
export const queueUsageEvent = (ctx: { waitUntil(promise: Promise<unknown>): void }, queue: Queue<unknown>, event: UsageEvent): void => {
  open ??= startBatch(queue);
  const batch = open;
  batch.events.push(event);
  ctx.waitUntil(batch.sent);
  if (batch.events.length >= MAX_BATCH) {
    open = undefined;
    batch.sendNow();
  }
};
