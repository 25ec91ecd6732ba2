import type { Delivery } from './delivery';

/** What the relay reads an upstream body with: a stream reader, or a batching one over a tee branch. */
export type UpstreamReader = Pick<ReadableStreamDefaultReader<Uint8Array>, 'read' | 'cancel' | 'releaseLock'>;

/**
 * The tap waits this long before each read of its tee branch and then takes everything that came in
 * meanwhile in one read. In workerd each JS read of a body costs ~100 µs of CPU whatever its size,
 * and the tap would otherwise read once per event: for 200-event anthropic streams, marginal CPU per
 * event was 125 µs reading per chunk and 27 µs reading in 50 ms batches (floor 13 µs; bench/, stream
 * cost phase, BENCH_STREAM_SCENARIOS="anthropic stream"). The client does not wait on it: its bytes
 * go through the pipe; only the close (and the error tail) waits for the tap's last read.
 */
const TAP_BATCH_MS = 50;
const TAP_READ_BYTES = 64 * 1024;

const sleepOrWake = (ms: number, wake: Promise<void>): Promise<unknown> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, ms))), wake]).finally(() => clearTimeout(timer));
};

/**
 * Batched reads of a byte stream (a fetch body's tee branch): a BYOB read after each pause takes all
 * buffered bytes at once. `wake` ends the pauses (the pipe is done: the rest is read at once). A
 * stream that is not a byte stream (a JS-made body, as test fakes return) is read chunk by chunk.
 */
const batchedReader = (branch: ReadableStream<Uint8Array>, wake: Promise<void>): UpstreamReader => {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = branch.getReader({ mode: 'byob' });
  } catch {
    return branch.getReader();
  }
  let awake = false;
  void wake.then(() => (awake = true));
  let full = false;
  return {
    async read(): Promise<ReadableStreamReadResult<Uint8Array>> {
      // A read that filled its buffer left more behind: the next one goes at once.
      if (!awake && !full) await sleepOrWake(TAP_BATCH_MS, wake);
      const result = await byob.read(new Uint8Array(TAP_READ_BYTES));
      if (result.done || result.value === undefined) return { done: true, value: undefined };
      full = result.value.byteLength === TAP_READ_BYTES;
      return { done: false, value: result.value };
    },
    cancel: (reason) => byob.cancel(reason),
    releaseLock: () => byob.releaseLock(),
  };
};

export interface NativePipe {
  /** What the client gets first: the bytes held until the first content, that content among them. */
  head: Uint8Array;
  /** The rest of the upstream body; its bytes reach the client through the runtime's own pipe. */
  rest: ReadableStream<Uint8Array>;
  /**
   * Reads the relay's copy of `rest` to its end, or until the relay stops the upstream (idle timeout,
   * malformed event), and resolves with what closes the client's stream (the error tail, when one is due).
   */
  tap(reader: UpstreamReader): Promise<Uint8Array[]>;
  /** Aborted when the relay stops the upstream: the pipe then lets go of the upstream too. */
  signal: AbortSignal;
  /** How the client's side ended (once); anything but `complete` means the upstream must be stopped. */
  settle(delivery: Delivery, reason?: unknown): void;
}

/**
 * The client's body for a same-format SSE stream once its first content is in: an
 * IdentityTransformStream that gets the held bytes from JS, then the rest of the upstream through
 * `pipeTo`, which workerd runs without a JS hop per chunk, while a tee branch feeds the relay's usage
 * tap (in batches, see TAP_BATCH_MS). Piping a fetch body into it cost 22 µs of CPU per event against
 * the bare proxy's 13 µs, where a JS-written body cost ~120 µs (bench/, stream-cost phase). That shape
 * has a floor of its own: in one workerd, a Worker doing only tee + pipeTo(IdentityTransformStream) +
 * batched reads of the other branch (no parsing) cost 23-26 µs per event against 15 µs for returning
 * the fetch body (the tee ~+4, the IdentityTransformStream ~+5); returning a tee branch itself would
 * save the second, but then nothing could be written after the upstream's bytes (no error tail). The
 * tap's own parsing is ~1 µs per event (the skimmers, src/protocols/shared/skim.ts). The pipe
 * never closes or aborts the client's side (preventClose, preventAbort): the tail decides how the
 * stream ends, once the pipe is done. Nor does it cancel its tee branch (preventCancel): the relay
 * ends the upstream itself (abortUpstream), and a cancelled branch whose source then errored left an
 * unhandled rejection behind in workerd. Aborting `signal` lets go of a fetch body's pipe at once (checked
 * in workerd: the tail could then be written); a JS-made body stalled in its pull keeps it (test fakes).
 */
export const nativeClientStream = (pipe: NativePipe): ReadableStream<Uint8Array> => {
  const identity = new IdentityTransformStream();
  const [toClient, toTap] = pipe.rest.tee();
  let wake: () => void = () => {};
  const woken = new Promise<void>((resolve) => (wake = resolve));
  const tapped = pipe.tap(batchedReader(toTap, woken));
  tapped.catch(() => {});

  const run = async (): Promise<{ delivery: Delivery; reason?: unknown }> => {
    const head = identity.writable.getWriter();
    try {
      if (pipe.head.byteLength > 0) await head.write(pipe.head);
    } catch (reason) {
      wake();
      toClient.cancel(reason).catch(() => {});
      return { delivery: 'aborted', reason };
    }
    head.releaseLock();
    let pipeFailed = false;
    await toClient.pipeTo(identity.writable, { preventClose: true, preventAbort: true, preventCancel: true, signal: pipe.signal }).catch(() => {
      pipeFailed = true;
    });
    wake();
    const writer = identity.writable.getWriter();
    // Settled below through `tapped` and the writes; an abort must not also surface as an unhandled rejection.
    writer.closed.catch(() => {});
    // A failed pipe is an upstream that broke (the tap sees it too and ends) or a client that left (the writable is errored).
    if (pipeFailed) {
      const left = await Promise.race([writer.closed.then(() => false, () => true), tapped.then(() => false, () => false)]);
      if (left) return { delivery: 'aborted', reason: new Error('client closed the stream') };
    }
    let tail: Uint8Array[];
    try {
      tail = await tapped;
    } catch (reason) {
      writer.abort(reason).catch(() => {});
      return { delivery: 'errored', reason };
    }
    try {
      for (const bytes of tail) await writer.write(bytes);
      await writer.close();
    } catch (reason) {
      return { delivery: 'aborted', reason };
    }
    return { delivery: 'complete' };
  };

  run().then(
    ({ delivery, reason }) => pipe.settle(delivery, reason),
    (reason: unknown) => pipe.settle('errored', reason),
  );
  return identity.readable;
};
