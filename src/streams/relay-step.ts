import type { RelayError } from '../errors';
import type { IrStreamEvent } from '../ir/stream-event';
import type { SseEvent } from './sse-event';

/** What one upstream chunk turned into on the relay's side. */
export interface ChunkFacts {
  bytes: Uint8Array;
  sse: SseEvent[];
  ir: IrStreamEvent[];
  /** Index in `sse` of the event whose decode produced the first error, or -1 (the common case). */
  failedAt: number;
}

/** One upstream read as the relay saw it: a chunk and what it decoded to, or the end (clean, cut, or timed out). */
export type Step = { kind: 'chunk'; facts: ChunkFacts } | { kind: 'end'; ir: IrStreamEvent[] };

/** How client bytes are made from what the upstream sent (passthrough: the bytes; translation: re-encoded IR). */
export interface StreamRenderer {
  chunk(facts: ChunkFacts): Uint8Array[];
  /** The upstream is over; `ir` is what the decoder emitted at EOF (its truncation error, when the stream was cut). */
  end(ir: IrStreamEvent[]): Uint8Array[];
  cancel(reason: unknown): void;
  /** False while the bytes sent so far end inside an event (a keepalive must wait); absent: always at a boundary. */
  atEventBoundary?(): boolean;
  /**
   * Asked after rendering a chunk whose decode failed (`failedAt >= 0`): true when the client's stream
   * ends there (`end([])` then writes the error's close), so the upstream's rest is not read.
   */
  endsAtFailure(facts: ChunkFacts): boolean;
}

export const firstError = (events: IrStreamEvent[]): RelayError | undefined => {
  for (const event of events) if (event.type === 'error') return event.error;
  return undefined;
};
