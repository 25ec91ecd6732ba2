import { Deadline } from '../relay/deadline';
import type { ChunkFacts, Step, StreamRenderer } from './relay-step';

/** At most this much is merged into one client write when upstream chunks are already waiting. */
const COALESCE_MAX_CHUNKS = 16;
const COALESCE_MAX_BYTES = 32 * 1024;
/**
 * Upstream chunks that render to nothing (comments, pings, usage) still earn the client a keepalive
 * once this long has passed without a write: the runtime learns that a client left only when a
 * write to it fails, so without one an upstream that sends only comments would run on unnoticed.
 */
const NOTICE_MS = 500;

export interface PullSource {
  nextStep(): Promise<Step>;
  /** Whether the next upstream read already settled (it is issued if none is in flight); never waits. */
  nextReadSettled(): boolean;
  /** The chunk's malformed event ends the client's stream (the upstream is let go). */
  endsHere(facts: ChunkFacts): boolean;
  /** False once the relay stopped serving the client (it left, or the stream was cancelled): nothing more is rendered. */
  serving(): boolean;
  /** The client's stream closed after the upstream's end. */
  complete(): void;
  /** The renderer threw (a client encoder refusing an event): the upstream must not run on. */
  fail(error: unknown): void;
  /** The client cancelled the body. */
  leave(reason: unknown): void;
}

export interface Keepalive {
  bytes: Uint8Array;
  afterMs: number;
}

export const byteLength = (chunks: Uint8Array[]): number => {
  let total = 0;
  for (const chunk of chunks) total += chunk.byteLength;
  return total;
};

export const concatBytes = (chunks: Uint8Array[]): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(byteLength(chunks));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
};

/** The client left or the relay stopped: a body nobody reads any more is closed if it still can be. */
const closeQuietly = (controller: ReadableStreamDefaultController<Uint8Array>): void => {
  try {
    controller.close();
  } catch {
    // Already cancelled by the client.
  }
};

/**
 * The client's body after the first-content gate: `held` first, then each upstream chunk as soon as
 * it is rendered. The next upstream read is always issued before the current chunk goes out; when it
 * has already settled by then (the upstream sent faster than the client reads), its bytes join the
 * same write: nothing ever waits for data that has not arrived, but a burst costs one write, not one
 * per upstream chunk. While the upstream is silent, the client gets `keepalive` bytes.
 */
export const coalescingClientStream = (
  source: PullSource,
  renderer: StreamRenderer,
  keepalive: Keepalive | undefined,
  held: Uint8Array[],
  ended: boolean,
): { stream: ReadableStream<Uint8Array>; stopKeepalive: () => void } => {
  let done = ended;
  // The first content goes out alone, at once; later writes may merge what is already waiting.
  let first = true;
  let current: ReadableStreamDefaultController<Uint8Array> | undefined;
  let lastWriteAt = Date.now();
  const keepaliveTimer =
    keepalive === undefined
      ? undefined
      : new Deadline(() => {
          if (renderer.atEventBoundary?.() !== false) {
            current?.enqueue(keepalive.bytes);
            lastWriteAt = Date.now();
          }
          keepaliveTimer?.set(keepalive.afterMs);
        });
  const stream = new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      if (!source.serving()) return closeQuietly(controller);
      current = controller;
      const out = held.splice(0);
      let bytes = byteLength(out);
      try {
        for (let merged = 0; !done; merged++) {
          if (out.length > 0 && (first || merged >= COALESCE_MAX_CHUNKS || bytes >= COALESCE_MAX_BYTES || !source.nextReadSettled())) break;
          // Nothing to send yet: the client hears from us if the upstream stays silent.
          if (out.length === 0 && keepalive !== undefined) keepaliveTimer?.set(keepalive.afterMs);
          const step = await source.nextStep();
          keepaliveTimer?.pause();
          if (!source.serving()) return closeQuietly(controller);
          const rendered = step.kind === 'chunk' ? renderer.chunk(step.facts) : renderer.end(step.ir);
          if (step.kind === 'end') done = true;
          else if (source.endsHere(step.facts)) {
            rendered.push(...renderer.end([]));
            done = true;
          } else if (rendered.length === 0 && out.length === 0 && keepalive !== undefined && Date.now() - lastWriteAt >= NOTICE_MS && renderer.atEventBoundary?.() !== false) {
            rendered.push(keepalive.bytes);
          }
          out.push(...rendered);
          bytes += byteLength(rendered);
        }
      } catch (error) {
        source.fail(error);
        throw error;
      }
      first = false;
      if (out.length > 0) {
        controller.enqueue(concatBytes(out));
        lastWriteAt = Date.now();
      }
      if (done) {
        keepaliveTimer?.clear();
        controller.close();
        source.complete();
      }
    },
    cancel: (reason) => source.leave(reason),
  });
  return { stream, stopKeepalive: () => keepaliveTimer?.clear() };
};
