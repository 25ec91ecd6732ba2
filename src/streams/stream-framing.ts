import type { RouteInfo } from '../protocols/codec';
import { formatSseEvent } from './sse-encode';
import type { SseEvent } from './sse-event';

const encoder = new TextEncoder();

/** How client-format events become the bytes of the client's response body. */
export interface StreamFraming {
  contentType: string;
  /** SSE: passthrough sends the upstream's own bytes as they came, and keepalives can go between events. */
  isSse: boolean;
  /** All events of one upstream chunk as (at most) one byte chunk. */
  frame(events: SseEvent[]): Uint8Array[];
  /** What closes the body after the last event. */
  close(): Uint8Array[];
}

export const sseFraming = (): StreamFraming => ({
  contentType: 'text/event-stream; charset=utf-8',
  isSse: true,
  frame(events) {
    if (events.length === 0) return [];
    let text = '';
    for (const event of events) text += formatSseEvent(event);
    return [encoder.encode(text)];
  },
  close: () => [],
});

/**
 * Gemini's `:streamGenerateContent` without `alt=sse`: one JSON array, written element by element as
 * the events arrive (`[`, then `,\r\n` between elements, `]` at the end), as Google's API streams it.
 */
export const jsonArrayFraming = (): StreamFraming => {
  let opened = false;
  return {
    contentType: 'application/json; charset=utf-8',
    isSse: false,
    frame(events) {
      let text = '';
      for (const event of events) {
        text += (opened ? ',\r\n' : '[') + event.data;
        opened = true;
      }
      return text === '' ? [] : [encoder.encode(text)];
    },
    close: () => [encoder.encode(opened ? ']' : '[]')],
  };
};

export const streamFramingFor = (route: RouteInfo): StreamFraming => (route.jsonArrayStream === true ? jsonArrayFraming() : sseFraming());
