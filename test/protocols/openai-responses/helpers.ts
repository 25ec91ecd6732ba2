/// <reference types="vite/client" />
import { expect } from 'vitest';
import type { IrRequest } from '../../../src/ir/request';
import type { IrStreamEvent } from '../../../src/ir/stream-event';
import type { ClientContext } from '../../../src/protocols/codec';
import { decodeResponsesStream } from '../../../src/protocols/openai-responses/decode-stream';
import { encodeResponsesStream } from '../../../src/protocols/openai-responses/encode-stream';
import type { SseEvent } from '../../../src/streams/sse-event';

import { pipe } from '../../setup/pipe';

export { pipe };

/** A recorded `.chunks.txt` as the SSE events OpenAI sends: the event name is the payload's type. */
export const recordedEvents = (text: string): SseEvent[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const parsed: unknown = JSON.parse(line);
      const type = parsed !== null && typeof parsed === 'object' && 'type' in parsed ? parsed.type : undefined;
      return typeof type === 'string' ? { event: type, data: line } : { data: line };
    });

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value)) : {};

/** Payload objects as data-only SSE events (numbered); strings go out as raw data lines. */
export const payloadEvents = (payloads: unknown[]): SseEvent[] =>
  payloads.map((payload, index) =>
    typeof payload === 'string' ? { data: payload } : { data: JSON.stringify({ sequence_number: index, ...asRecord(payload) }) },
  );

export const decodeEvents = (events: SseEvent[]): Promise<IrStreamEvent[]> => pipe(events, decodeResponsesStream());

export const baseRequest = (overrides: Partial<IrRequest> = {}): IrRequest => ({
  model: 'public-model',
  system: [],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: true,
  ...overrides,
});

export const clientContext = (overrides: Partial<IrRequest> = {}): ClientContext => ({
  requestId: 'req_test',
  request: baseRequest(overrides),
  created: 1700000000,
});

export interface EncodedEvent {
  event: string | undefined;
  data: Record<string, unknown>;
}

export const encodeEvents = async (events: IrStreamEvent[], context: ClientContext = clientContext()): Promise<EncodedEvent[]> =>
  (await pipe(events, encodeResponsesStream(context))).map((event) => ({ event: event.event, data: JSON.parse(event.data) }));

/** The IR stream invariants of src/ir/stream-event.ts. */
export const expectIrInvariants = (events: IrStreamEvent[]): void => {
  expect(events[0]?.type).toBe('start');
  expect(events.filter((event) => event.type === 'start')).toHaveLength(1);
  let open: number | undefined;
  let next = 0;
  let terminal = false;
  for (const event of events) {
    expect(terminal).toBe(false);
    if (event.type === 'block_start') {
      expect(open).toBeUndefined();
      expect(event.index).toBe(next++);
      open = event.index;
    } else if (event.type === 'block_delta') {
      expect(event.index).toBe(open);
    } else if (event.type === 'block_stop') {
      expect(event.index).toBe(open);
      open = undefined;
    } else if (event.type === 'finish' || event.type === 'error') {
      if (event.type === 'finish') expect(open).toBeUndefined();
      terminal = true;
    }
  }
  expect(terminal).toBe(true);
};
