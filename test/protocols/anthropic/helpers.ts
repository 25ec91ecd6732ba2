import type { RelayError } from '../../../src/errors';
import type { IrRequest } from '../../../src/ir/request';
import type { IrStreamEvent } from '../../../src/ir/stream-event';
import type { ClientContext } from '../../../src/protocols/codec';
import type { SseEvent } from '../../../src/streams/sse-event';

export const collect = async <T>(stream: ReadableStream<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
};

export const streamOf = <T>(items: T[]): ReadableStream<T> =>
  new ReadableStream<T>({
    start(controller) {
      for (const item of items) controller.enqueue(item);
      controller.close();
    },
  });

/** Runs items through a transform and collects what comes out. */
export const transform = <I, O>(items: I[], stream: TransformStream<I, O>): Promise<O[]> => collect(streamOf(items).pipeThrough(stream));

/** A recorded `.chunks.txt` as the SSE events the real API sends (event name = type). */
export const recordedEvents = (chunks: string): SseEvent[] =>
  chunks
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const parsed = JSON.parse(line) as { type: string };
      return { event: parsed.type, data: line };
    });

export const sseData = (events: SseEvent[]): unknown[] => events.map((event) => JSON.parse(event.data) as unknown);

export const clientContext = (request: Partial<IrRequest> = {}): ClientContext => ({
  requestId: 'req_relay_1',
  created: 1700000000,
  request: { model: 'claude-public', system: [], messages: [], stream: true, ...request },
});

export const thrown = (run: () => unknown): RelayError => {
  try {
    run();
  } catch (error) {
    return error as RelayError;
  }
  throw new Error('expected a throw');
};

/** Checks the IR stream invariants of src/ir/stream-event.ts and returns the finish/error event. */
export const checkIrInvariants = (events: IrStreamEvent[]): void => {
  let open: number | undefined;
  let next = 0;
  let ended = false;
  events.forEach((event, position) => {
    if (ended) throw new Error(`event after finish/error at ${position}`);
    if (position === 0 && event.type !== 'start' && event.type !== 'error') throw new Error('first event must be start');
    if (position > 0 && event.type === 'start') throw new Error('second start');
    if (event.type === 'block_start') {
      if (open !== undefined) throw new Error(`block ${event.index} starts while ${open} is open`);
      if (event.index !== next) throw new Error(`block index ${event.index}, expected ${next}`);
      open = event.index;
      next += 1;
    } else if (event.type === 'block_delta') {
      if (event.index !== open) throw new Error(`delta for ${event.index} while ${String(open)} is open`);
    } else if (event.type === 'block_stop') {
      if (event.index !== open) throw new Error(`stop for ${event.index} while ${String(open)} is open`);
      open = undefined;
    } else if (event.type === 'finish') {
      if (open !== undefined) throw new Error('finish with an open block');
      ended = true;
    } else if (event.type === 'error') {
      ended = true;
    }
  });
};
