import type { UsageEvent } from '../usage/event';
import { packUsageEvents } from '../usage/usage-message';

/** Where a batch goes: the usage queue, and a durable way around it when the queue keeps refusing. */
export interface UsageSink {
  queue: Queue<unknown>;
  persist(events: readonly UsageEvent[]): Promise<void>;
}

/** Backoff between queue sends: a refused send is usually a blip; after these, the sink's durable path. */
const SEND_BACKOFF_MS = [50, 250, 1_000];

/** How long events from concurrent requests gather before they are sent, and how many at most. */
const GATHER_MS = 10;
const MAX_BATCH = 100;
const PACKS_PER_SEND = 3;

interface Batch {
  events: UsageEvent[];
  taken: boolean;
}

let open: Batch | undefined;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms * (0.5 + Math.random() / 2)));

const send = async (sink: UsageSink, batch: Batch): Promise<void> => {
  if (batch.taken) return;
  batch.taken = true;
  if (open === batch) open = undefined;
  // Packed: one message per PACK_BYTES of events, so the queue's message rate grows with isolates, not requests.
  const messages = packUsageEvents(batch.events).map((body) => ({ body }));
  let sent = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      // A sendBatch carries at most 256 KB: a few packs per call.
      for (; sent < messages.length; sent += PACKS_PER_SEND) await sink.queue.sendBatch(messages.slice(sent, sent + PACKS_PER_SEND));
      return;
    } catch (error) {
      const wait = SEND_BACKOFF_MS[attempt];
      if (wait === undefined) {
        console.warn(JSON.stringify({ message: 'usage queue refused; writing events directly', packs: messages.length - sent, error: String(error) }));
        break;
      }
      await sleep(wait);
    }
  }
  // These events are the only record of the requests: never only a log line.
  const unsent = messages.slice(sent).flatMap((message) => message.body.events);
  await sink.persist(unsent).catch((error: unknown) => {
    console.error(JSON.stringify({ message: 'usage events not persisted', events: unsent, error: String(error) }));
  });
};

/**
 * Hands a usage event to the usage queue, gathered with the events of concurrent requests of this
 * isolate into one `sendBatch` (one queue call per GATHER_MS instead of one per request). Every
 * request arms its own timer and sends the batch from its own context if nobody has yet: no request
 * ever waits on a promise another request created (workerd cancels such continuations once that
 * request is gone), and a batch is still sent if the request that opened it is cut short.
 */
export const queueUsageEvent = (ctx: { waitUntil(promise: Promise<unknown>): void }, sink: UsageSink, event: UsageEvent): void => {
  open ??= { events: [], taken: false };
  const batch = open;
  batch.events.push(event);
  if (batch.events.length >= MAX_BATCH) {
    ctx.waitUntil(send(sink, batch));
    return;
  }
  ctx.waitUntil(new Promise<void>((resolve) => setTimeout(resolve, GATHER_MS)).then(() => send(sink, batch)));
};
