import { RelayError } from '../errors';
import type { IrStreamEvent } from '../ir/stream-event';
import { decodeSseStage } from '../sse/decode';
import type { SseEvent } from '../sse/event';
import { AttemptFailure } from './attempt';
import { stageStep, type StageStep } from '../streams/stage-step';
import { isRetryableKind } from './upstream-fetch';
import type { Delivery } from './completion';
import { observeIrEvent, type StreamOutcome } from './usage-tap';

/** What one upstream chunk turned into on the relay's side. */
export interface ChunkFacts {
  bytes: Uint8Array;
  sse: SseEvent[];
  ir: IrStreamEvent[];
}

/** How client bytes are made from what the upstream sent (passthrough: the bytes; translation: re-encoded IR). */
export interface StreamRenderer {
  chunk(facts: ChunkFacts): Promise<Uint8Array[]>;
  /** The upstream is over; `ir` is what the decoder emitted at EOF (its truncation error, when the stream was cut). */
  end(ir: IrStreamEvent[]): Promise<Uint8Array[]>;
  cancel(reason: unknown): void;
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
}

type Step = { kind: 'chunk'; facts: ChunkFacts } | { kind: 'end'; ir: IrStreamEvent[] };

/** A block, a delta or a finish: proof the upstream is really answering. start/ping/usage are not. */
const isContent = (event: IrStreamEvent): boolean =>
  event.type === 'block_start' || event.type === 'block_delta' || event.type === 'block_stop' || event.type === 'finish';

const firstError = (events: IrStreamEvent[]): RelayError | undefined => {
  for (const event of events) if (event.type === 'error') return event.error;
  return undefined;
};

/**
 * Reads an upstream event stream chunk by chunk, decoding each chunk synchronously, and holds the
 * client's response until the first content event (`open()`): a stream that answers 200 and then
 * fails, stalls or sends only an error before any content is an AttemptFailure, so the fallback
 * loop can still try the next candidate. The held bytes are released with the chunk that carried
 * the content, so the client's time to first token is the upstream's. After that, each upstream
 * chunk goes out as soon as it is rendered, and a failure (reset, idle timeout, truncation) ends the
 * stream with the renderer's in-stream error.
 */
export class StreamRelay {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly sse: StageStep<Uint8Array, SseEvent> = stageStep(decodeSseStage());
  private readonly decoder: StageStep<SseEvent, IrStreamEvent>;
  private decoderBroken = false;
  /** Bytes may have reached the client: failures from here on are mid-stream. */
  private committed = false;
  private failed = false;
  private cancelled = false;
  private settleDelivery: (delivery: Delivery) => void = () => {};
  /** How the client's side of the stream ended; the pipeline accounts for the request from it. */
  readonly delivered = new Promise<Delivery>((resolve) => {
    this.settleDelivery = resolve;
  });

  constructor(private readonly options: StreamRelayOptions) {
    this.reader = options.body.getReader();
    this.decoder = stageStep(options.decoder);
  }

  /** Resolves once the upstream sent content (the client stream), or rejects with an AttemptFailure. */
  async open(): Promise<ReadableStream<Uint8Array>> {
    const held: Uint8Array[] = [];
    try {
      for (;;) {
        const step = await this.step();
        const events = step.kind === 'chunk' ? step.facts.ir : step.ir;
        const contentAt = events.findIndex(isContent);
        const error = firstError(contentAt < 0 ? events : events.slice(0, contentAt));
        if (error !== undefined) throw new AttemptFailure(error, isRetryableKind(error.kind));
        if (step.kind === 'end') {
          this.commit(events);
          held.push(...(await this.options.renderer.end(step.ir)));
          return this.clientStream(held, true);
        }
        if (contentAt >= 0) this.commit(events.slice(contentAt));
        held.push(...(await this.options.renderer.chunk(step.facts)));
        if (contentAt >= 0) return this.clientStream(held, false);
      }
    } catch (thrown) {
      this.cancel(thrown);
      throw thrown;
    }
  }

  private commit(sinceContent: IrStreamEvent[]): void {
    this.committed = true;
    const error = firstError(sinceContent);
    if (error !== undefined) this.reportFailure(error);
  }

  private clientStream(held: Uint8Array[], ended: boolean): ReadableStream<Uint8Array> {
    let done = ended;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const out = held.splice(0);
        try {
          while (out.length === 0 && !done) {
            const step = await this.step();
            if (step.kind === 'chunk') {
              out.push(...(await this.options.renderer.chunk(step.facts)));
            } else {
              out.push(...(await this.options.renderer.end(step.ir)));
              done = true;
            }
          }
        } catch (error) {
          // A renderer that throws (a client encoder refusing an event) must not leave the upstream running.
          this.cancel(error);
          this.settleDelivery('errored');
          throw error;
        }
        for (const bytes of out) controller.enqueue(bytes);
        if (done) {
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

  /** One upstream read: a chunk and what it decoded to, or the end (clean, cut, or timed out). */
  private async step(): Promise<Step> {
    let failure: RelayError | undefined;
    let result: ReadableStreamReadResult<Uint8Array> | undefined;
    try {
      result = await this.read();
    } catch (error) {
      failure = error instanceof RelayError ? error : new RelayError('api_error', 502, `${this.options.label}: upstream connection lost mid-stream`, { cause: error, upstreamStatus: 502 });
      this.reader.cancel(failure).catch(() => {});
      this.options.abortUpstream(failure);
    }
    if (result !== undefined && !result.done) {
      const bytes = result.value;
      const sse = this.sse.push(bytes);
      const ir = this.decode(sse);
      return { kind: 'chunk', facts: { bytes, sse, ir } };
    }
    const ir = this.decode(this.sse.end());
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

  private decode(events: SseEvent[]): IrStreamEvent[] {
    const out: IrStreamEvent[] = [];
    for (const event of events) {
      if (this.decoderBroken) break;
      try {
        out.push(...this.decoder.push(event));
      } catch (cause) {
        // A decoder that throws cannot be trusted with the rest; this is an unreadable upstream stream.
        this.decoderBroken = true;
        out.push({ type: 'error', error: new RelayError('api_error', 502, `${this.options.label}: unreadable upstream stream`, { cause }) });
      }
    }
    for (const event of out) {
      observeIrEvent(this.options.outcome, event);
      if (event.type === 'error' && this.committed) this.reportFailure(event.error);
    }
    return out;
  }

  private reportFailure(error: RelayError): void {
    if (this.failed || this.cancelled) return;
    this.failed = true;
    this.options.onMidStreamFailure(error);
  }

  private async read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    const { idleMs, firstContentBy, label } = this.options;
    const untilDeadline = firstContentBy - Date.now();
    const byDeadline = !this.committed && untilDeadline < idleMs;
    const waitMs = byDeadline ? Math.max(untilDeadline, 0) : idleMs;
    const message = byDeadline ? `${label}: no content within the first-byte timeout` : `${label}: upstream sent nothing for ${idleMs} ms`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RelayError('timeout', 504, message)), waitMs);
    });
    try {
      return await Promise.race([this.reader.read(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private cancel(reason: unknown): void {
    this.cancelled = true;
    this.options.abortUpstream(reason);
    this.reader.cancel(reason).catch(() => {});
    this.sse.abort(reason);
    this.decoder.abort(reason);
    this.options.renderer.cancel(reason);
  }
}
