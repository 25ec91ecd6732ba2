import type { UsageEvent } from './event';

/**
 * A usage queue message body: one event (the original shape, still accepted from producers deployed
 * before packing) or a pack of events. Packing keeps the queue's message rate far below its
 * per-queue limit: one message carries every event an isolate gathered, up to PACK_BYTES.
 */
export type UsageMessageBody = UsageEvent | { events: UsageEvent[] };

/** A pack's JSON size cap: well inside a message's 128 KB, and a sendBatch of 100 messages stays under its total. */
export const PACK_BYTES = 64 * 1024;

const isPack = (body: unknown): body is { events: unknown[] } =>
  typeof body === 'object' && body !== null && 'events' in body && Array.isArray(body.events);

/** The events a message carries, whichever shape it has. */
export const eventsOfMessage = (body: unknown): UsageEvent[] => (isPack(body) ? (body.events as UsageEvent[]) : [body as UsageEvent]);

/** The request ids a message carries (for logs and dead letters), whatever its shape or damage. */
export const requestIdsOfMessage = (body: unknown): string[] =>
  (isPack(body) ? body.events : [body]).flatMap((event) =>
    typeof event === 'object' && event !== null && 'requestId' in event && typeof event.requestId === 'string' ? [event.requestId] : [],
  );

const encoder = new TextEncoder();

/** Splits events into pack bodies of at most PACK_BYTES of JSON each (an event larger than that travels alone). */
export const packUsageEvents = (events: readonly UsageEvent[], maxBytes = PACK_BYTES): Array<{ events: UsageEvent[] }> => {
  const packs: Array<{ events: UsageEvent[] }> = [];
  let current: UsageEvent[] = [];
  let size = 0;
  for (const event of events) {
    const eventSize = encoder.encode(JSON.stringify(event)).byteLength + 1;
    if (current.length > 0 && size + eventSize > maxBytes) {
      packs.push({ events: current });
      current = [];
      size = 0;
    }
    current.push(event);
    size += eventSize;
  }
  if (current.length > 0) packs.push({ events: current });
  return packs;
};
