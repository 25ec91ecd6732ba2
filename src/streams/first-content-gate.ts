import type { IrStreamEvent } from '../ir/stream-event';
import { AttemptFailure } from '../relay/attempt';
import { isRetryableKind } from '../relay/upstream-fetch';
import { firstError, type ChunkFacts, type Step, type StreamRenderer } from './relay-step';

export interface GateSource {
  step(): Promise<Step>;
  /** Bytes may reach the client from here on; `sinceContent`: the events from the first content on (an error among them is mid-stream). */
  commit(sinceContent: IrStreamEvent[]): void;
  /** The chunk's malformed event ends the client's stream (the upstream is let go). */
  endsHere(facts: ChunkFacts): boolean;
}

export interface GatePassed {
  /** The rendered bytes held back so far, to go out first. */
  held: Uint8Array[];
  /**
   * content: the held bytes end with the first content; ended: the client's stream is complete with
   * them (upstream end, or a malformed event); hold-over: the upstream is alive but silent, and
   * `carried` is the read the hold interrupted.
   */
  until: 'content' | 'ended' | 'hold-over';
  carried?: Promise<Step>;
}

/** A block, a delta or a finish: proof the upstream is really answering. start/ping/usage are not. */
const isContent = (event: IrStreamEvent): boolean =>
  event.type === 'block_start' || event.type === 'block_delta' || event.type === 'block_stop' || event.type === 'finish';

const HOLD_OVER = Symbol('hold over');

const holdTimer = (ms: number | undefined): { over: Promise<typeof HOLD_OVER>; clear(): void } | undefined => {
  if (ms === undefined || ms <= 0) return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const over = new Promise<typeof HOLD_OVER>((resolve) => {
    timer = setTimeout(() => resolve(HOLD_OVER), ms);
  });
  return { over, clear: () => clearTimeout(timer) };
};

/**
 * Holds the client's response until the upstream's first content event: a stream that answers 200
 * and then fails, stalls or sends only an error before any content throws an AttemptFailure, so the
 * fallback loop can still try the next candidate. The held bytes are released with the chunk that
 * carried the content, so the client's time to first token is the upstream's; or, when the upstream
 * is alive but silent for `holdMs` (a model reasoning before it answers), without it: the attempt
 * is then committed and its failures are in-stream.
 */
export const passFirstContentGate = async (source: GateSource, renderer: StreamRenderer, holdMs: number | undefined): Promise<GatePassed> => {
  const held: Uint8Array[] = [];
  const hold = holdTimer(holdMs);
  try {
    for (;;) {
      const next = source.step();
      const step = hold === undefined ? await next : await Promise.race([next, hold.over]);
      if (step === HOLD_OVER) {
        source.commit([]);
        return { held, until: 'hold-over', carried: next };
      }
      const events = step.kind === 'chunk' ? step.facts.ir : step.ir;
      const contentAt = events.findIndex(isContent);
      const error = firstError(contentAt < 0 ? events : events.slice(0, contentAt));
      if (error !== undefined) throw new AttemptFailure(error, isRetryableKind(error.kind));
      if (step.kind === 'end') {
        source.commit(events);
        held.push(...renderer.end(step.ir));
        return { held, until: 'ended' };
      }
      if (contentAt >= 0) source.commit(events.slice(contentAt));
      held.push(...renderer.chunk(step.facts));
      if (source.endsHere(step.facts)) {
        held.push(...renderer.end([]));
        return { held, until: 'ended' };
      }
      if (contentAt >= 0) return { held, until: 'content' };
    }
  } finally {
    hold?.clear();
  }
};
