import { RelayError } from '../errors';
import type { IrStreamEvent } from '../ir/stream-event';
import type { PassthroughSkimmer } from '../protocols/codec';
import { decodeSseStage } from './sse-decode';
import type { SseEvent } from './sse-event';
import { AttemptFailure } from '../relay/attempt';
import { stageStep, type StageStep } from './stage-step';
import { isRetryableKind } from '../relay/upstream-fetch';
import type { Delivery } from './delivery';
import { observeIrEvent, type StreamOutcome } from './usage-tap';
import { Deadline } from '../relay/deadline';
import { nativeClientStream, type UpstreamReader } from './native-passthrough';

/** What one upstream chunk turned into on the relay's side. */
export interface ChunkFacts {
  bytes: Uint8Array;
  sse: SseEvent[];
  ir: IrStreamEvent[];
  /** Index in `sse` of the event whose decode produced the first error, or -1 (the common case). */
  failedAt: number;
}

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
  keepalive?: { bytes: Uint8Array; afterMs: number };
  /**
   * The longest the client's response is held for the first content (0/absent: until it comes). A
   * model that reasons silently before answering would otherwise leave the client without headers
   * or keepalives for minutes; after this, what the upstream sent so far goes out and the attempt
   * can no longer fall back (its failures are in-stream from then on).
   */
  holdMs?: number;
  /** The client's request signal: the runtime aborts it when the client disconnects, even while nothing is being written. */
  clientSignal?: AbortSignal;
  /** Passthrough: after the first content, the events the decoder need not see (the client gets the upstream's bytes). */
  skimmer?: PassthroughSkimmer;
  /**
   * Same-format SSE passthrough with nothing to rewrite: once the first content is out, the rest of
   * the upstream goes to the client through the runtime's pipe, the relay reading a tee of it (see
   * native-passthrough.ts). `sent` sees each chunk the pipe passed on (the renderer's output is unused).
   */
  nativePipe?: { sent?(facts: ChunkFacts): void };
}

/** What `open()` races the upstream's next step against once the hold is over. */
const HOLD_OVER = Symbol('hold over');

type Step = { kind: 'chunk'; facts: ChunkFacts } | { kind: 'end'; ir: IrStreamEvent[] };

/** A block, a delta or a finish: proof the upstream is really answering. start/ping/usage are not. */
const isContent = (event: IrStreamEvent): boolean =>
  event.type === 'block_start' || event.type === 'block_delta' || event.type === 'block_stop' || event.type === 'finish';

const firstError = (events: IrStreamEvent[]): RelayError | undefined => {
  for (const event of events) if (event.type === 'error') return event.error;
  return undefined;
};

/** At most this much is merged into one client write when upstream chunks are already waiting. */
const COALESCE_MAX_CHUNKS = 16;
const COALESCE_MAX_BYTES = 32 * 1024;
/**
 * Upstream chunks that render to nothing (comments, pings, usage) still earn the client a keepalive
 * once this long has passed without a write: the runtime learns that a client left only when a
 * write to it fails, so without one an upstream that sends only comments would run on unnoticed.
 */
const NOTICE_MS = 500;

/**
 * Reads an upstream event stream chunk by chunk, decoding each chunk synchronously, and holds the
 * client's response until the first content event (`open()`): a stream that answers 200 and then
 * fails, stalls or sends only an error before any content is an AttemptFailure, so the fallback
 * loop can still try the next candidate. The held bytes are released with the chunk that carried
 * the content, so the client's time to first token is the upstream's; or, when the upstream is
 * alive but silent for `holdMs`, without it (the attempt is then committed). After that, each upstream
 * chunk goes out as soon as it is rendered, and a failure (reset, idle timeout, truncation) ends the
 * stream with the renderer's in-stream error.
 *
 * The next upstream read is always issued before the current chunk goes out. When it has already
 * settled by then (the upstream sent faster than the client reads), its bytes join the same client
 * write: nothing ever waits for data that has not arrived, but a burst costs one write, not one per
 * upstream chunk. One timer (Deadline) covers idle and first-content timeouts for the whole stream.
 */
export class StreamRelay {
  /** The upstream body's reader; in a native pipe, the reader of the relay's tee branch. */
  private reader: UpstreamReader;
  /** Aborted to make a native pipe let go of the upstream. */
  private pipeAbort: AbortController | undefined;
  private readonly sse: StageStep<Uint8Array, SseEvent> = stageStep(decodeSseStage());
  private readonly decoder: StageStep<SseEvent, IrStreamEvent>;
  private readonly deadline = new Deadline(() => this.expire());
  private keepaliveTimer: Deadline | undefined;
  private decoderBroken = false;
  /** Index of the SSE event whose decode emitted the first error, in the events `decode()` was last given. */
  private failedAt = -1;
  /** The last event skimmed since the last decoded one, when the format repeats cumulative usage on each. */
  private lastSkimmed: SseEvent | undefined;
  private readonly clientGone = (): void => {
    this.settleDelivery('aborted');
    this.cancel(this.options.clientSignal?.reason);
  };
  /** Bytes may have reached the client: failures from here on are mid-stream. */
  private committed = false;
  private failed = false;
  private cancelled = false;
  private timedOut: RelayError | undefined;
  /** The deadline now running is the first-content one (it is shorter than the idle timeout). */
  private waitingForFirstContent = false;
  /** The upstream read in flight (issued ahead of need) and whether it has settled yet. */
  private pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  private pendingSettled = false;
  /** A step `open()` started but left to the client stream when the hold ran out. */
  private carried: Promise<Step> | undefined;
  private settleDelivery: (delivery: Delivery) => void = () => {};
  /** How the client's side of the stream ended; the pipeline accounts for the request from it. */
  readonly delivered = new Promise<Delivery>((resolve) => {
    this.settleDelivery = resolve;
  });

  constructor(private readonly options: StreamRelayOptions) {
    this.reader = options.body.getReader();
    this.decoder = stageStep(options.decoder);
    options.clientSignal?.addEventListener('abort', this.clientGone, { once: true });
  }

  /**
   * Resolves once the upstream sent content (the client stream), or rejects with an AttemptFailure.
   * Also resolves, committed, when the hold is over while the upstream is alive but silent.
   */
  async open(): Promise<ReadableStream<Uint8Array>> {
    const held: Uint8Array[] = [];
    const hold = holdTimer(this.options.holdMs);
    try {
      for (;;) {
        const next = this.step();
        const step = hold === undefined ? await next : await Promise.race([next, hold.over]);
        if (step === HOLD_OVER) {
          this.commit([]);
          this.carried = next;
          return this.clientStream(held, false);
        }
        const events = step.kind === 'chunk' ? step.facts.ir : step.ir;
        const contentAt = events.findIndex(isContent);
        const error = firstError(contentAt < 0 ? events : events.slice(0, contentAt));
        if (error !== undefined) throw new AttemptFailure(error, isRetryableKind(error.kind));
        if (step.kind === 'end') {
          this.commit(events);
          held.push(...this.options.renderer.end(step.ir));
          return this.clientStream(held, true);
        }
        if (contentAt >= 0) this.commit(events.slice(contentAt));
        held.push(...this.options.renderer.chunk(step.facts));
        if (this.endsHere(step.facts)) {
          held.push(...this.options.renderer.end([]));
          return this.clientStream(held, true);
        }
        if (contentAt >= 0) return this.options.nativePipe === undefined ? this.clientStream(held, false) : this.nativeStream(held);
      }
    } catch (thrown) {
      this.cancel(thrown);
      throw thrown;
    } finally {
      hold?.clear();
    }
  }

  /** A chunk whose decode failed ends the client's stream when the renderer says so; the upstream's rest is let go. */
  private endsHere(facts: ChunkFacts): boolean {
    if (facts.failedAt < 0 || !this.options.renderer.endsAtFailure(facts)) return false;
    this.deadline.clear();
    this.reader.cancel('stream ended at a malformed event').catch(() => {});
    this.options.abortUpstream(new RelayError('api_error', 502, `${this.options.label}: stream ended at a malformed event`));
    return true;
  }

  private commit(sinceContent: IrStreamEvent[]): void {
    this.committed = true;
    const error = firstError(sinceContent);
    if (error !== undefined) this.reportFailure(error);
  }

  private clientStream(held: Uint8Array[], ended: boolean): ReadableStream<Uint8Array> {
    let done = ended;
    // The first content goes out alone, at once; later writes may merge what is already waiting.
    let first = true;
    let current: ReadableStreamDefaultController<Uint8Array> | undefined;
    let lastWriteAt = Date.now();
    const { keepalive, renderer } = this.options;
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
    this.keepaliveTimer = keepaliveTimer;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        current = controller;
        const out = held.splice(0);
        let bytes = byteLength(out);
        try {
          for (let merged = 0; !done; merged++) {
            if (out.length > 0 && (first || merged >= COALESCE_MAX_CHUNKS || bytes >= COALESCE_MAX_BYTES || !this.nextReadReady())) break;
            // Nothing to send yet: the client hears from us if the upstream stays silent.
            if (out.length === 0 && keepalive !== undefined) keepaliveTimer?.set(keepalive.afterMs);
            const step = await this.nextStep();
            keepaliveTimer?.pause();
            const rendered = step.kind === 'chunk' ? renderer.chunk(step.facts) : renderer.end(step.ir);
            if (step.kind === 'end') done = true;
            else if (this.endsHere(step.facts)) {
              rendered.push(...renderer.end([]));
              done = true;
            } else if (rendered.length === 0 && out.length === 0 && keepalive !== undefined && Date.now() - lastWriteAt >= NOTICE_MS && renderer.atEventBoundary?.() !== false) {
              rendered.push(keepalive.bytes);
            }
            out.push(...rendered);
            bytes += byteLength(rendered);
          }
        } catch (error) {
          // A renderer that throws (a client encoder refusing an event) must not leave the upstream running.
          this.cancel(error);
          this.settleDelivery('errored');
          throw error;
        }
        first = false;
        if (out.length > 0) {
          controller.enqueue(concatBytes(out));
          lastWriteAt = Date.now();
        }
        if (done) {
          keepaliveTimer?.clear();
          this.options.clientSignal?.removeEventListener('abort', this.clientGone);
          controller.close();
          this.settleDelivery('complete');
        }
      },
      cancel: (reason) => {
        this.settleDelivery('aborted');
        this.cancel(reason);
      },
    });
  }

  /** The client's body once the first content is in, in a native pipe: held bytes, then the upstream's rest unread by JS. */
  private nativeStream(held: Uint8Array[]): ReadableStream<Uint8Array> {
    this.reader.releaseLock();
    this.pipeAbort = new AbortController();
    return nativeClientStream({
      head: concatBytes(held),
      rest: this.options.body,
      signal: this.pipeAbort.signal,
      tap: (reader) => this.tap(reader),
      settle: (delivery, reason) => {
        if (delivery === 'complete') this.options.clientSignal?.removeEventListener('abort', this.clientGone);
        this.settleDelivery(delivery);
        if (delivery !== 'complete') this.cancel(reason);
      },
    });
  }

  /** The usage tap of a native pipe: the same decode as the JS path (idle timeout, skimmer, failures), minus the writes. */
  private async tap(reader: UpstreamReader): Promise<Uint8Array[]> {
    this.reader = reader;
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
    const carried = this.carried;
    this.carried = undefined;
    return carried ?? this.step();
  }

  /** One upstream read: a chunk and what it decoded to, or the end (clean, cut, or timed out). */
  private async step(): Promise<Step> {
    let failure: RelayError | undefined;
    let result: ReadableStreamReadResult<Uint8Array> | undefined;
    try {
      result = await this.takeRead();
    } catch (error) {
      failure = error instanceof RelayError ? error : new RelayError('api_error', 502, `${this.options.label}: upstream connection lost mid-stream`, { cause: error, upstreamStatus: 502 });
    }
    if (this.timedOut !== undefined) failure = this.timedOut;
    if (failure === undefined && result !== undefined && !result.done) {
      const bytes = result.value;
      const sse = this.sse.push(bytes);
      const ir = this.decode(sse);
      return { kind: 'chunk', facts: { bytes, sse, ir, failedAt: this.failedAt } };
    }
    this.deadline.clear();
    if (failure !== undefined && failure !== this.timedOut) {
      this.reader.cancel(failure).catch(() => {});
      this.options.abortUpstream(failure);
    }
    const ir = this.decode(this.sse.end(), true);
    if (!this.decoderBroken) ir.push(...this.endDecoder());
    // The decoder only knows the stream stopped early; the read knows why (timeout, reset).
    const tail = failure === undefined ? ir : ir.map((event): IrStreamEvent => (event.type === 'error' ? { type: 'error', error: failure } : event));
    for (const event of tail) observeIrEvent(this.options.outcome, event);
    const error = firstError(tail);
    if (error !== undefined && this.committed) this.reportFailure(error);
    return { kind: 'end', ir: tail };
  }

  private endDecoder(): IrStreamEvent[] {
    try {
      return this.decoder.end();
    } catch {
      return [];
    }
  }

  /** `final`: no event follows (EOF or cancel), so a skimmed event held for its usage is decoded now. */
  private decode(events: SseEvent[], final = false): IrStreamEvent[] {
    const out: IrStreamEvent[] = [];
    this.failedAt = -1;
    const { skimmer } = this.options;
    for (let i = 0; i < events.length && !this.decoderBroken; i++) {
      const event = events[i]!;
      const chars = this.committed ? skimmer?.skim(event) : undefined;
      if (chars !== undefined) {
        this.options.outcome.generatedChars += chars;
        if (skimmer?.cumulativeUsage === true) this.lastSkimmed = event;
        continue;
      }
      this.catchUp(out);
      this.decodeOne(event, out);
      // Nothing follows an error in the IR: the first one found is the event that broke the stream.
      if (this.failedAt < 0 && out.length > 0 && out[out.length - 1]!.type === 'error') this.failedAt = i;
    }
    if (final) this.catchUp(out);
    for (const event of out) {
      observeIrEvent(this.options.outcome, event);
      if (event.type === 'error' && this.committed) this.reportFailure(event.error);
    }
    return out;
  }

  private decodeOne(event: SseEvent, out: IrStreamEvent[]): void {
    if (this.decoderBroken) return;
    try {
      out.push(...this.decoder.push(event));
    } catch (cause) {
      // A decoder that throws cannot be trusted with the rest; this is an unreadable upstream stream.
      this.decoderBroken = true;
      out.push({ type: 'error', error: new RelayError('api_error', 502, `${this.options.label}: unreadable upstream stream`, { cause }) });
    }
  }

  /** Decodes the skimmed event held for its cumulative usage (its content already went out). */
  private catchUp(out: IrStreamEvent[]): void {
    const held = this.lastSkimmed;
    this.lastSkimmed = undefined;
    if (held !== undefined) this.decodeOne(held, out);
  }

  private reportFailure(error: RelayError): void {
    if (this.failed || this.cancelled) return;
    this.failed = true;
    this.options.onMidStreamFailure(error);
  }

  /** Issues the next upstream read if none is in flight; the deadline runs only while a read is awaited. */
  private issueRead(): Promise<ReadableStreamReadResult<Uint8Array>> {
    if (this.pending !== undefined) return this.pending;
    const { idleMs, firstContentBy } = this.options;
    const untilFirstContent = firstContentBy - Date.now();
    this.waitingForFirstContent = !this.committed && untilFirstContent < idleMs;
    this.deadline.set(this.waitingForFirstContent ? Math.max(untilFirstContent, 0) : idleMs);
    const read = this.reader.read();
    this.pending = read;
    this.pendingSettled = false;
    const settled = () => {
      if (this.pending === read) this.pendingSettled = true;
      this.deadline.pause();
    };
    read.then(settled, settled);
    return read;
  }

  private takeRead(): Promise<ReadableStreamReadResult<Uint8Array>> {
    const read = this.issueRead();
    this.pending = undefined;
    return read;
  }

  /**
   * Issues the next read (if none is in flight) and says whether it has already settled, so its bytes
   * join this write. It does not wait: in workerd a read of a fetch body settles only on a later turn
   * of the event loop, never within microtasks, and awaiting a few cost ~40% of the relay's CPU per
   * chunk (bench/profile.mjs, 200-event streams) for no merge at all.
   */
  private nextReadReady(): boolean {
    if (this.carried !== undefined) return false;
    this.issueRead();
    return this.pendingSettled;
  }

  private expire(): void {
    const { label, idleMs } = this.options;
    const message = this.waitingForFirstContent ? `${label}: no content within the first-byte timeout` : `${label}: upstream sent nothing for ${idleMs} ms`;
    this.timedOut = new RelayError('timeout', 504, message);
    this.reader.cancel(this.timedOut).catch(() => {});
    this.pipeAbort?.abort(this.timedOut);
    this.options.abortUpstream(this.timedOut);
  }

  private cancel(reason: unknown): void {
    this.cancelled = true;
    this.options.clientSignal?.removeEventListener('abort', this.clientGone);
    this.deadline.clear();
    this.keepaliveTimer?.clear();
    this.options.abortUpstream(reason);
    this.reader.cancel(reason).catch(() => {});
    this.pipeAbort?.abort(reason);
    this.sse.abort(reason);
    // The usage of a skimmed event still counts when the client leaves (cancelled: nothing is reported as a failure).
    if (this.lastSkimmed !== undefined) this.decode([], true);
    this.decoder.abort(reason);
    this.options.renderer.cancel(reason);
  }
}

const holdTimer = (ms: number | undefined): { over: Promise<typeof HOLD_OVER>; clear(): void } | undefined => {
  if (ms === undefined || ms <= 0) return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const over = new Promise<typeof HOLD_OVER>((resolve) => {
    timer = setTimeout(() => resolve(HOLD_OVER), ms);
  });
  return { over, clear: () => clearTimeout(timer) };
};

const byteLength = (chunks: Uint8Array[]): number => {
  let total = 0;
  for (const chunk of chunks) total += chunk.byteLength;
  return total;
};

const concatBytes = (chunks: Uint8Array[]): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(byteLength(chunks));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
};
