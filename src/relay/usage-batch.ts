import type { UsageEvent } from '../usage/event';

/** How long events from concurrent requests gather before one sendBatch; and the batch cap (Queues allow 100). */
const GATHER_MS = 10;
const MAX_BATCH = 100;

interface Batch {
  events: UsageEvent[];
  taken: boolean;
}

let open: Batch | undefined;

const send = async (queue: Queue<unknown>, batch: Batch): Promise<void> => {
  if (batch.taken) return;
  batch.taken = true;
  if (open === batch) open = undefined;
  const messages = batch.events.map((body) => ({ body }));
  try {
    // One retry: a refused send is usually a blip, and these events are the only record of the requests.
    await queue.sendBatch(messages).catch(() => queue.sendBatch(messages));
  } catch (error) {
    console.error(JSON.stringify({ message: 'usage events could not be queued', requestIds: batch.events.map((event) => event.requestId), error: String(error) }));
  }
};

/**
 * Hands a usage event to the usage queue, gathered with the events of concurrent requests of this
 * isolate into one `sendBatch` (one queue call per GATHER_MS instead of one per request). Every
 * request arms its own timer and sends the batch from its own context if nobody has yet: no request
 * ever waits on a promise another request created (workerd cancels such continuations once that
 * request is gone), and a batch is still sent if the request that opened it is cut short.
 */
export const queueUsageEvent = (ctx: { waitUntil(promise: Promise<unknown>): void }, queue: Queue<unknown>, event: UsageEvent): void => {
  open ??= { events: [], taken: false };
  const batch = open;
  batch.events.push(event);
  if (batch.events.length >= MAX_BATCH) {
    ctx.waitUntil(send(queue, batch));
    return;
  }
  ctx.waitUntil(new Promise<void>((resolve) => setTimeout(resolve, GATHER_MS)).then(() => send(queue, batch)));
};
