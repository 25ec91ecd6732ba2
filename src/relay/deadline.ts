/**
 * One timer for a whole body read instead of one per chunk: `set(ms)` only moves the deadline (a
 * number), and the timer, when it fires before the deadline, re-arms itself for what is left.
 * `pause()` stops the clock while nothing is awaited (the relay holds data the client has not
 * pulled yet: that silence is not the upstream's). After it fires it is idle until set again.
 * Chunks can arrive microseconds apart; a timer per chunk costs far more than that in workerd.
 */
export class Deadline {
  private at = Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;
  private done = false;

  constructor(private readonly onExpire: () => void) {}

  /** The deadline is now `ms` from now, earlier or later than before. */
  set(ms: number): void {
    if (this.done) return;
    this.at = Date.now() + ms;
    if (this.timer === undefined || this.timerAt > this.at) this.schedule(ms);
  }

  pause(): void {
    this.at = Infinity;
  }

  clear(): void {
    this.done = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timerAt = Date.now() + ms;
    this.timer = setTimeout(() => this.fire(), Math.max(ms, 0));
  }

  private fire(): void {
    this.timer = undefined;
    if (this.done || this.at === Infinity) return;
    const left = this.at - Date.now();
    if (left > 0) return this.schedule(left);
    this.at = Infinity;
    this.onExpire();
  }
}

/**
 * A request's overall deadline for same-provider retries, from when the relay starts trying its
 * candidates: a backoff that would end later is not started, and the next candidate is tried instead
 * (each attempt still has its provider's own first-byte and idle timeouts).
 */
export const REQUEST_RETRY_DEADLINE_MS = 30_000;
