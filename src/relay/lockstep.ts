/**
 * Drives a TransformStream one input at a time and answers with exactly the outputs that input
 * produced (and, from `end()`, exactly what its flush produced). The relay needs that attribution,
 * which a pipeThrough chain cannot give: "did this upstream chunk carry the first content event?"
 * (commit or fall back) and "did the decoder's error come from the upstream or from its own EOF
 * check?" (append an in-stream error or not).
 *
 * It relies on two stream guarantees: a write resolves after transform() ran, and a read of a
 * non-empty queue is already settled, so racing it against an already-resolved promise tells
 * "queued output" from "nothing more yet" without waiting.
 */
export interface Lockstep<I, O> {
  push(input: I): Promise<O[]>;
  end(): Promise<O[]>;
  abort(reason: unknown): void;
}

const NOTHING_YET = Symbol('nothing yet');

export const lockstep = <I, O>(transform: TransformStream<I, O>): Lockstep<I, O> => {
  const writer = transform.writable.getWriter();
  const reader = transform.readable.getReader();
  const read = () => {
    const next = reader.read();
    next.catch(() => {});
    return next;
  };
  // A read is always pending, so the transform never waits on backpressure before running.
  let pending = read();
  let finished = false;

  const drain = async (): Promise<O[]> => {
    const out: O[] = [];
    while (!finished) {
      const result = await Promise.race([pending, Promise.resolve(NOTHING_YET)]);
      if (result === NOTHING_YET) break;
      if (result.done) {
        finished = true;
        break;
      }
      out.push(result.value);
      pending = read();
    }
    return out;
  };

  return {
    async push(input) {
      await writer.write(input);
      return drain();
    },
    async end() {
      await writer.close();
      return drain();
    },
    abort(reason) {
      writer.abort(reason).catch(() => {});
      reader.cancel(reason).catch(() => {});
    },
  };
};
