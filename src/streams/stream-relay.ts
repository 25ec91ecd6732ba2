import { RelayError } from '../errors';
import type { IrStreamEvent } from '../ir/stream-event';
import type { PassthroughSkimmer } from '../protocols/codec';
import type { SseEvent } from './sse-event';
import type { Delivery } from './delivery';
import { observeIrEvent, type StreamOutcome } from './usage-tap';
import { nativeClientStream, type UpstreamReader } from './native-passthrough';
import { firstError, type ChunkFacts, type Step, type StreamRenderer } from './relay-step';
import { UpstreamDecode } from './upstream-decode';
import { ReadAhead } from './read-ahead';
import { passFirstContentGate } from './first-content-gate';
import { coalescingClientStream, concatBytes, type Keepalive } from './coalescing-pull';

export type { ChunkFacts, StreamRenderer } from './relay-step';

export interface StreamRelayOptions {
  body: ReadableStream<Uint8Array>;
  /** Provider id, for error messages. */
  label: string;
  /** The upstream format's stream decoder: usage, commit point, truncation. */
  decoder: Transformer<SseEvent, IrStreamEvent>;
  renderer: StreamRenderer;
  outcome: StreamOutcome;
  idleMs: number;
  /** Epoch ms by which the first content event must have arrived (the first-byte timeout). */
  firstContentBy: number;
  abortUpstream(reason: unknown): void;
  /** The upstream failed after the client got bytes (reset, idle timeout, truncation, in-stream error). */
  onMidStreamFailure(error: RelayError): void;
  /** Sent to the client when the upstream has been silent this long after the first content (clients and proxies drop idle connections). */
  keepalive?: Keepalive;
  /**
   * The longest the client's response is held for the first content (0/absent: until it comes). A
   * model that reasons silently before answering would otherwise leave the client without headers
   * or keepalives for minutes; after this, what the upstream sent so far goes out and the attempt
   * can no longer fall back (its failures are in-stream from then on).
   */
  holdMs?: number;
  /**
   * The client's request signal: the runtime aborts it when the client disconnects, even while
   * nothing is being written. The relay alone decides what a client's leaving does to the upstream
   * (see `clientLeft`), so the upstream's fetch must not follow this signal by itself.
   */
  clientSignal?: AbortSignal;
  /** Called once the relay listens to `clientSignal` itself: the upstream's fetch stops following it. */
  unlinkClientSignal?: () => void;
  /** Passthrough: after the first content, the events the decoder need not see (the client gets the upstream's bytes). */
  skimmer?: PassthroughSkimmer;
  /**
   * Same-format SSE passthrough with nothing to rewrite: once the first content is out, the rest of
   * the upstream goes to the client through the runtime's pipe, the relay reading a tee of it (see
   * native-passthrough.ts). `sent` sees each chunk the pipe passed on (the renderer's output is unused).
   */
  nativePipe?: { sent?(facts: ChunkFacts): void };
}

/**
 * holding: nothing reached the client yet, so a failure is an AttemptFailure and the fallback loop
 * may try another candidate (first-content-gate.ts). streaming: bytes may have reached the client;
 * failures end its stream in-stream. ended: the client's stream is over (complete, cancelled, or
 * the client left and the upstream is read only for its final usage).
 */
export type StreamPhase = 'holding' | 'streaming' | 'ended';

/**
 * After a client leaves mid-stream, the upstream is read on (nothing rendered) this long for the
 * event that carries the final usage, which most formats send last: found, the request is billed
 * exactly; not found, the upstream is cancelled and the usage estimated. Short enough that the
 * upstream still stops within 1 s of the client leaving.
 */
const FINAL_USAGE_WAIT_MS = 750;

/**
 * Reads an upstream event stream chunk by chunk, decoding each chunk synchronously, and makes the
 * client's stream of it: held until the first content (first-content-gate.ts), then written as it
 * is rendered (coalescing-pull.ts), or in a native pipe (native-passthrough.ts). One timer covers
 * the idle and first-content timeouts for the whole stream (read-ahead.ts).
 */
export class StreamRelay {
  private phase: StreamPhase = 'holding';
  private readonly reads: ReadAhead;
  private readonly decoding: UpstreamDecode;
  /** Aborted to make a native pipe let go of the upstream. */
  private pipeAbort: AbortController | undefined;
  private stopKeepalive: (() => void) | undefined;
  private timedOut: RelayError | undefined;
  /** Which timeout the read deadline now running is: the first-content one is shorter than the idle one. */
  private deadlineFor: 'first content' | 'idle' = 'idle';
  /** A step the gate started but left to the client stream when the hold ran out. */
  private carried: Promise<Step> | undefined;
  /** The client stream's step in flight: reading for the final usage starts after it. */
  private current: Promise<Step> | undefined;
  private upstreamEnded = false;
  /** Set while reading for the final usage after the client left: ends that wait. */
  private usageWaitOver: (() => void) | undefined;
  private readonly reportFailure: (error: RelayError) => void;
  private settleDelivery: (delivery: Delivery) => void = () => {};
  /** How the client's side of the stream ended; the pipeline accounts for the request from it. */
  readonly delivered = new Promise<Delivery>((resolve) => {
    this.settleDelivery = resolve;
  });
  private readonly clientGone = (): void => this.clientLeft(this.options.clientSignal?.reason);

  constructor(private readonly options: StreamRelayOptions) {
    this.reads = new ReadAhead(options.body.getReader(), () => this.readTimeoutMs(), () => this.expire());
    this.decoding = new UpstreamDecode(options.decoder, options.label, options.skimmer, (chars) => (options.outcome.generatedChars += chars));
    let reported = false;
    this.reportFailure = (error) => {
      if (reported || this.phase !== 'streaming') return;
      reported = true;
      options.onMidStreamFailure(error);
    };
    options.clientSignal?.addEventListener('abort', this.clientGone, { once: true });
    options.unlinkClientSignal?.();
  }

  /**
   * Resolves once the upstream sent content (the client stream), or rejects with an AttemptFailure.
   * Also resolves, committed, when the hold is over while the upstream is alive but silent.
   */
  async open(): Promise<ReadableStream<Uint8Array>> {
    let gate;
    try {
      gate = await passFirstContentGate(
        { step: () => this.step(), commit: (sinceContent) => this.commit(sinceContent), endsHere: (facts) => this.endsHere(facts) },
        this.options.renderer,
        this.options.holdMs,
      );
    } catch (thrown) {
      this.cancel(thrown);
      throw thrown;
    }
    this.carried = gate.carried;
    if (gate.until === 'content' && this.options.nativePipe !== undefined) return this.nativeStream(gate.held);
    return this.clientStream(gate.held, gate.until === 'ended');
  }

  /** A chunk whose decode failed ends the client's stream when the renderer says so; the upstream's rest is let go. */
  private endsHere(facts: ChunkFacts): boolean {
    if (facts.failedAt < 0 || !this.options.renderer.endsAtFailure(facts)) return false;
    this.reads.stop();
    this.reads.reader.cancel('stream ended at a malformed event').catch(() => {});
    this.options.abortUpstream(new RelayError('api_error', 502, `${this.options.label}: stream ended at a malformed event`));
    return true;
  }

  private commit(sinceContent: IrStreamEvent[]): void {
    if (this.phase === 'holding') this.phase = 'streaming';
    const error = firstError(sinceContent);
    if (error !== undefined) this.reportFailure(error);
  }

  private clientStream(held: Uint8Array[], ended: boolean): ReadableStream<Uint8Array> {
    const { stream, stopKeepalive } = coalescingClientStream(
      {
        nextStep: () => this.nextStep(),
        nextReadSettled: () => this.carried === undefined && this.reads.settledOnAnEarlierTurn(),
        endsHere: (facts) => this.endsHere(facts),
        serving: () => this.phase !== 'ended',
        complete: () => {
          this.phase = 'ended';
          this.options.clientSignal?.removeEventListener('abort', this.clientGone);
          this.settleDelivery('complete');
        },
        fail: (error) => {
          this.cancel(error);
          this.settleDelivery('errored');
        },
        leave: (reason) => this.clientLeft(reason),
      },
      this.options.renderer,
      this.options.keepalive,
      held,
      ended,
    );
    this.stopKeepalive = stopKeepalive;
    return stream;
  }

  /** The client's body once the first content is in, in a native pipe: held bytes, then the upstream's rest unread by JS. */
  private nativeStream(held: Uint8Array[]): ReadableStream<Uint8Array> {
    this.reads.reader.releaseLock();
    this.pipeAbort = new AbortController();
    return nativeClientStream({
      head: concatBytes(held),
      rest: this.options.body,
      signal: this.pipeAbort.signal,
      tap: (reader) => this.tap(reader),
      settle: (delivery, reason) => {
        if (delivery === 'complete') {
          this.phase = 'ended';
          this.options.clientSignal?.removeEventListener('abort', this.clientGone);
          this.settleDelivery(delivery);
        } else if (delivery === 'aborted') this.clientLeft(reason);
        else {
          this.settleDelivery(delivery);
          this.cancel(reason);
        }
      },
    });
  }

  /** The usage tap of a native pipe: the same decode as the JS path (idle timeout, skimmer, failures), minus the writes. */
  private async tap(reader: UpstreamReader): Promise<Uint8Array[]> {
    this.reads.reader = reader;
    const { renderer, nativePipe } = this.options;
    let broken = false;
    for (;;) {
      const step = await this.step();
      // After a malformed event the renderer's tail is that event's error, whatever the end was.
      if (step.kind === 'end') return renderer.end(broken ? [] : step.ir);
      if (broken) continue;
      // The bytes already went out; the renderer still tracks the events its error tail continues.
      renderer.chunk(step.facts);
      nativePipe?.sent?.(step.facts);
      // A malformed event went out with its chunk and cannot be held back. Stopping the upstream here
      // would also drop what the pipe has not passed on yet (events before it): the rest flows, then the tail.
      broken = step.facts.failedAt >= 0 && renderer.endsAtFailure(step.facts);
    }
  }

  private nextStep(): Promise<Step> {
    const next = this.carried ?? this.step();
    this.carried = undefined;
    this.current = next;
    return next;
  }

  /** One upstream read: a chunk and what it decoded to, or the end (clean, cut, or timed out). */
  private async step(): Promise<Step> {
    let failure: RelayError | undefined;
    let result: ReadableStreamReadResult<Uint8Array> | undefined;
    try {
      result = await this.reads.take();
    } catch (error) {
      failure = error instanceof RelayError ? error : new RelayError('api_error', 502, `${this.options.label}: upstream connection lost mid-stream`, { cause: error, upstreamStatus: 502 });
    }
    if (this.timedOut !== undefined) failure = this.timedOut;
    if (failure === undefined && result !== undefined && !result.done) {
      const bytes = result.value;
      const sse = this.decoding.sseOf(bytes);
      const ir = this.decoding.decodeChunk(sse, this.phase !== 'holding');
      this.observe(ir);
      return { kind: 'chunk', facts: { bytes, sse, ir, failedAt: this.decoding.failedAt } };
    }
    this.reads.stop();
    if (failure !== undefined && failure !== this.timedOut) {
      this.reads.reader.cancel(failure).catch(() => {});
      this.options.abortUpstream(failure);
    }
    const ir = this.decoding.end(this.phase !== 'holding');
    // The decoder only knows the stream stopped early; the read knows why (timeout, reset).
    const tail = failure === undefined ? ir : ir.map((event): IrStreamEvent => (event.type === 'error' ? { type: 'error', error: failure } : event));
    this.upstreamEnded = true;
    this.observe(tail);
    return { kind: 'end', ir: tail };
  }

  /** Usage, stop reason and errors off the decoded events; an error once bytes went out is a mid-stream failure. */
  private observe(events: IrStreamEvent[]): void {
    for (const event of events) {
      observeIrEvent(this.options.outcome, event);
      if (event.type === 'error') this.reportFailure(event.error);
    }
    if (this.usageWaitOver !== undefined && this.finalUsageKnown()) this.usageWaitOver();
  }

  private finalUsageKnown(): boolean {
    return this.upstreamEnded || this.options.outcome.finished;
  }

  private readTimeoutMs(): number {
    const { idleMs, firstContentBy } = this.options;
    const untilFirstContent = firstContentBy - Date.now();
    this.deadlineFor = this.phase === 'holding' && untilFirstContent < idleMs ? 'first content' : 'idle';
    return this.deadlineFor === 'first content' ? Math.max(untilFirstContent, 0) : idleMs;
  }

  private expire(): void {
    const { label, idleMs } = this.options;
    const message = this.deadlineFor === 'first content' ? `${label}: no content within the first-byte timeout` : `${label}: upstream sent nothing for ${idleMs} ms`;
    this.timedOut = new RelayError('timeout', 504, message);
    this.reads.reader.cancel(this.timedOut).catch(() => {});
    this.pipeAbort?.abort(this.timedOut);
    this.options.abortUpstream(this.timedOut);
  }

  /**
   * The client disconnected (its request signal aborted, or it cancelled the body). Before the first
   * content the upstream is stopped at once; after it, the upstream is read on for its final usage
   * (FINAL_USAGE_WAIT_MS), then stopped, and only then is the delivery settled, so the pipeline
   * records the usage that came.
   */
  private clientLeft(reason: unknown): void {
    if (this.phase === 'holding') {
      this.settleDelivery('aborted');
      this.cancel(reason);
      return;
    }
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    this.options.clientSignal?.removeEventListener('abort', this.clientGone);
    this.stopKeepalive?.();
    if (this.finalUsageKnown()) {
      this.cancel(reason);
      this.settleDelivery('aborted');
      return;
    }
    const over = (): void => {
      if (this.usageWaitOver !== over) return;
      this.usageWaitOver = undefined;
      clearTimeout(timer);
      this.cancel(reason);
      this.settleDelivery('aborted');
    };
    const timer = setTimeout(over, FINAL_USAGE_WAIT_MS);
    this.usageWaitOver = over;
    // A native pipe's tap reads on by itself; the JS path's reads were the client's pulls.
    if (this.pipeAbort === undefined) void this.readForFinalUsage();
  }

  private async readForFinalUsage(): Promise<void> {
    await this.current?.catch(() => {});
    while (this.usageWaitOver !== undefined && !this.upstreamEnded) await this.nextStep().catch(() => {});
  }

  private cancel(reason: unknown): void {
    this.phase = 'ended';
    this.options.clientSignal?.removeEventListener('abort', this.clientGone);
    this.reads.stop();
    this.stopKeepalive?.();
    this.options.abortUpstream(reason);
    this.reads.reader.cancel(reason).catch(() => {});
    this.pipeAbort?.abort(reason);
    // The usage of a skimmed event still counts when the client leaves (ended: nothing is reported as a failure).
    this.observe(this.decoding.abort(reason));
    this.options.renderer.cancel(reason);
  }
}
