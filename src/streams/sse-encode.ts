import type { SseEvent } from './sse-event';

const encoder = new TextEncoder();

/** Serializes one event; multi-line data becomes several data: lines. */
export const formatSseEvent = (event: SseEvent): string => {
  let out = '';
  if (event.event !== undefined) out += `event: ${event.event}\n`;
  if (event.id !== undefined) out += `id: ${event.id}\n`;
  const data = event.data;
  out += data.includes('\n') ? data.split('\n').map((line) => `data: ${line}\n`).join('') : `data: ${data}\n`;
  return `${out}\n`;
};

/** SSE events → bytes, one chunk per event so each reaches the client as soon as it exists. */
export const encodeSseStage = (): Transformer<SseEvent, Uint8Array> => ({
  transform(event, controller) {
    controller.enqueue(encoder.encode(formatSseEvent(event)));
  },
});

export const encodeSse = (): TransformStream<SseEvent, Uint8Array> => new TransformStream(encodeSseStage());

/** A JSON payload as an SSE event. */
export const jsonEvent = (data: unknown, event?: string): SseEvent =>
  event === undefined ? { data: JSON.stringify(data) } : { event, data: JSON.stringify(data) };
