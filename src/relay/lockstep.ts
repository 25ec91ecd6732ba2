/**
 * Drives a TransformStream one input at a time and answers with exactly the outputs that input
 * produced (and, from `end()`, exactly what its flush produced). The relay needs that attribution,
 * which a pipeThrough chain cannot give: "did this upstream chunk carry the first content event?"
 * (commit or fall back) and "did the decoder's error come from the upstream or from its own EOF
 * check?" (append an in-stream error or not).
 *
 * How: a write resolves after transform() ran, and an output enqueued while a read is pending
 * settles that read on the spot. So a pool of pending reads is kept; after each write the settled
 * reads, in order, are that input's outputs. (A read of an already-queued output settles only some
 * ticks later in workerd, hence the pool rather than one read.) An input that fills the whole pool
 * may have queued more; only then does the drain yield one macrotask to collect the rest.
 */
export interface Lockstep<I, O> {
  push(input: I): Promise<O[]>;
  end(): Promise<O[]>;
  abort(reason: unknown): void;
}

const POOL_SIZE = 32;
const NOTHING_YET = Symbol('nothing yet');
const nextMacrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export const lockstep = <I, O>(transform: TransformStream<I, O>): Lockstep<I, O> => {
  const writer = transform.writable.getWriter();
  const reader = transform.readable.getReader();
  const reads: Array<Promise<ReadableStreamReadResult<O>>> = [];
  let finished = false;
  const refill = () => {
    while (!finished && reads.length < POOL_SIZE) {
      const next = reader.read();
      next.catch(() => {});
      reads.push(next);
    }
  };
  // Pending reads also keep the transform free of backpressure, so writes never wait on the reader.
  refill();

  /** The settled reads at the front of the pool, in order. */
  const collectSettled = async (out: O[]): Promise<number> => {
    let settled = 0;
    while (reads.length > 0 && !finished) {
      const head = reads[0];
      if (head === undefined) break;
      const result = await Promise.race([head, Promise.resolve(NOTHING_YET)]);
      if (result === NOTHING_YET) break;
      reads.shift();
      settled += 1;
      if (result.done) finished = true;
      else out.push(result.value);
    }
    return settled;
  };

  const drain = async (): Promise<O[]> => {
    const out: O[] = [];
    for (;;) {
      const poolWasFull = (await collectSettled(out)) === POOL_SIZE;
      refill();
      if (!poolWasFull || finished) return out;
      await nextMacrotask();
    }
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
      finished = true;
      writer.abort(reason).catch(() => {});
      reader.cancel(reason).catch(() => {});
    },
  };
};
