import { Deadline } from '../relay/deadline';
import type { UpstreamReader } from './native-passthrough';

type Read = Promise<ReadableStreamReadResult<Uint8Array>>;

/**
 * A stream relay's upstream reads. The next read is issued before the current chunk goes out, so a
 * burst can join one client write; one Deadline runs only while a read is awaited (`timeoutMs()`
 * says how long: the first-content or the idle timeout), since data the client has not pulled yet
 * is not the upstream's silence.
 */
export class ReadAhead {
  private pending: Read | undefined;
  private pendingSettled = false;
  private readonly deadline: Deadline;

  constructor(
    /** Swapped for a tee branch's batching reader when a native pipe takes over. */
    public reader: UpstreamReader,
    private readonly timeoutMs: () => number,
    onTimeout: () => void,
  ) {
    this.deadline = new Deadline(onTimeout);
  }

  /** The read in flight, or a new one. */
  take(): Read {
    const read = this.issue();
    this.pending = undefined;
    return read;
  }

  /**
   * Issues the next read if none is in flight and says whether it settled on an earlier turn of the
   * event loop; it never waits. Measured: in workerd a read of a fetch body settles only on a later
   * turn, never within microtasks, and yielding up to 4 microtasks per chunk to catch one cost ~40%
   * of the relay's CPU per chunk (bench/profile.mjs, 200-event streams) while merging nothing.
   */
  settledOnAnEarlierTurn(): boolean {
    // The read is kept in `pending`; whoever takes it handles its rejection.
    void this.issue();
    return this.pendingSettled;
  }

  /** No read is awaited any more: the timeouts are off for good. */
  stop(): void {
    this.deadline.clear();
  }

  private issue(): Read {
    if (this.pending !== undefined) return this.pending;
    this.deadline.set(this.timeoutMs());
    const read = this.reader.read();
    this.pending = read;
    this.pendingSettled = false;
    const settled = () => {
      if (this.pending === read) this.pendingSettled = true;
      this.deadline.pause();
    };
    void read.then(settled, settled);
    return read;
  }
}
