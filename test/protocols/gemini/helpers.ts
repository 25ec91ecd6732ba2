/// <reference types="vite/client" />
import { expect } from 'vitest';
import type { IrStreamEvent } from '../../../src/ir/stream-event';
import type { IrRequest } from '../../../src/ir/request';
import type { ClientContext } from '../../../src/protocols/codec';
import type { SseEvent } from '../../../src/streams/sse-event';

/** Every recorded Gemini fixture, by file name. */
const raw = import.meta.glob<string>('../../fixtures/gemini/*', { query: '?raw', import: 'default', eager: true });
export const geminiFixtures: Record<string, string> = Object.fromEntries(
  Object.entries(raw).map(([path, text]) => [path.slice(path.lastIndexOf('/') + 1), text]),
);

export const fixture = (name: string): string => {
  const text = geminiFixtures[name];
  if (text === undefined) throw new Error(`missing fixture ${name}`);
  return text;
};

/** A `.chunks.txt` recording as the SSE events the upstream sent. */
export const recordedEvents = (text: string): SseEvent[] =>
  text.split(/\r?\n/).filter((line) => line.trim() !== '').map((line) => ({ data: line }));

export const runTransform = async <I, O>(stream: TransformStream<I, O>, inputs: readonly I[]): Promise<O[]> => {
  const source = new ReadableStream<I>({
    start(controller) {
      for (const input of inputs) controller.enqueue(input);
      controller.close();
    },
  });
  const out: O[] = [];
  for await (const value of source.pipeThrough(stream)) out.push(value);
  return out;
};

/** The IR stream invariants of src/ir/stream-event.ts. */
export const expectIrInvariants = (events: readonly IrStreamEvent[]): void => {
  const terminal = events.findIndex((event) => event.type === 'finish' || event.type === 'error');
  expect(terminal === -1 || terminal === events.length - 1).toBe(true);
  const first = events[0];
  if (first?.type !== 'error') expect(first?.type).toBe('start');
  expect(events.filter((event) => event.type === 'start').length).toBeLessThanOrEqual(1);
  let open: number | undefined;
  let next = 0;
  for (const event of events) {
    if (event.type === 'block_start') {
      expect(open).toBeUndefined();
      expect(event.index).toBe(next);
      open = event.index;
      next += 1;
    } else if (event.type === 'block_delta') {
      expect(event.index).toBe(open);
    } else if (event.type === 'block_stop') {
      expect(event.index).toBe(open);
      open = undefined;
    } else if (event.type === 'finish') {
      expect(open).toBeUndefined();
    }
  }
};

export const irRequest = (overrides: Partial<IrRequest> = {}): IrRequest => ({
  model: 'gemini-public',
  system: [],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
  stream: false,
  ...overrides,
});

export const clientContext = (overrides: Partial<IrRequest> = {}): ClientContext => ({
  requestId: 'req_1',
  request: irRequest(overrides),
  created: 1700000000,
});

export const parseData = (events: readonly SseEvent[]): unknown[] => events.map((event) => JSON.parse(event.data) as unknown);
