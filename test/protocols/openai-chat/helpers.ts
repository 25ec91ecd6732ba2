/// <reference types="vite/client" />
import { expect } from 'vitest';
import type { ClientContext } from '../../../src/protocols/codec';
import type { IrRequest } from '../../../src/ir/request';
import type { IrStreamEvent } from '../../../src/ir/stream-event';
import { decodeOpenAIChatStream } from '../../../src/protocols/openai-chat/decode-stream';
import { encodeOpenAIChatStream } from '../../../src/protocols/openai-chat/encode-stream';
import type { SseEvent } from '../../../src/streams/sse-event';

import { pipe } from '../../setup/pipe';

export { pipe };

/** A recorded `.chunks.txt` as SSE events, with the `[DONE]` the recordings leave out. */
export const recordedEvents = (text: string, done = true): SseEvent[] => {
  const events = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ({ data: line }));
  return done ? [...events, { data: '[DONE]' }] : events;
};

export const chunkEvents = (chunks: unknown[]): SseEvent[] =>
  chunks.map((chunk) => ({ data: typeof chunk === 'string' ? chunk : JSON.stringify(chunk) }));

export const decodeEvents = (events: SseEvent[]): Promise<IrStreamEvent[]> => pipe(events, decodeOpenAIChatStream());

export const baseRequest = (overrides: Partial<IrRequest> = {}): IrRequest => ({
  model: 'm1',
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

export const encodeEvents = (events: IrStreamEvent[], context: ClientContext): Promise<SseEvent[]> =>
  pipe(events, encodeOpenAIChatStream(context));

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
};
