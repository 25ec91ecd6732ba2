import { RelayError } from '../errors';
import type { IrStreamEvent } from '../ir/stream-event';
import type { PassthroughSkimmer } from '../protocols/codec';
import { decodeSseStage } from './sse-decode';
import type { SseEvent } from './sse-event';
import { stageStep, type StageStep } from './stage-step';

/**
 * An upstream body's bytes → SSE events → IR events, one chunk at a time, so the relay knows which
 * chunk carried which events (`failedAt`: which SSE event broke the decoder). In passthrough, once
 * content flows (`skim`), a skimmer lets plain content deltas bypass the decoder: the client gets
 * their bytes as sent anyway, and only their characters are counted, for an estimate.
 */
export class UpstreamDecode {
  private readonly sse: StageStep<Uint8Array, SseEvent> = stageStep(decodeSseStage());
  private readonly decoder: StageStep<SseEvent, IrStreamEvent>;
  /** The decoder threw: it cannot be trusted with the rest. */
  private broken = false;
  /** The last event skimmed since the last decoded one, when the format repeats cumulative usage on each. */
  private lastSkimmed: SseEvent | undefined;
  /** Index in the events last decoded of the one whose decode produced the first error, or -1 (the common case). */
  failedAt = -1;

  constructor(
    decoder: Transformer<SseEvent, IrStreamEvent>,
    private readonly label: string,
    private readonly skimmer: PassthroughSkimmer | undefined,
    private readonly countSkimmed: (chars: number) => void,
  ) {
    this.decoder = stageStep(decoder);
  }

  /** The chunk's SSE events; `decodeChunk` then gives their IR events (and sets `failedAt`). */
  sseOf(bytes: Uint8Array): SseEvent[] {
    return this.sse.push(bytes);
  }

  decodeChunk(sse: SseEvent[], skim: boolean): IrStreamEvent[] {
    return this.decode(sse, skim, false);
  }

  /** EOF or a cut: the SSE decoder's last event, a skimmed event held for its usage, then the decoder's own end check. */
  end(skim: boolean): IrStreamEvent[] {
    const ir = this.decode(this.sse.end(), skim, true);
    if (!this.broken) ir.push(...this.endDecoder());
    return ir;
  }

  /** The stream is given up: only a skimmed event held for its usage is still decoded (its usage counts). */
  abort(reason: unknown): IrStreamEvent[] {
    this.sse.abort(reason);
    const ir = this.lastSkimmed === undefined ? [] : this.decode([], true, true);
    this.decoder.abort(reason);
    return ir;
  }

  /** `final`: no event follows, so a skimmed event held for its usage is decoded now. */
  private decode(events: SseEvent[], skim: boolean, final: boolean): IrStreamEvent[] {
    const ir: IrStreamEvent[] = [];
    let failedAt = -1;
    const skimmer = skim ? this.skimmer : undefined;
    for (let i = 0; i < events.length && !this.broken; i++) {
      const event = events[i]!;
      const chars = skimmer?.skim(event);
      if (chars !== undefined) {
        this.countSkimmed(chars);
        if (skimmer?.cumulativeUsage === true) this.lastSkimmed = event;
        continue;
      }
      this.catchUp(ir);
      this.decodeOne(event, ir);
      // Nothing follows an error in the IR: the first one found is the event that broke the stream.
      if (failedAt < 0 && ir.length > 0 && ir[ir.length - 1]!.type === 'error') failedAt = i;
    }
    if (final) this.catchUp(ir);
    this.failedAt = failedAt;
    return ir;
  }

  private decodeOne(event: SseEvent, out: IrStreamEvent[]): void {
    if (this.broken) return;
    try {
      out.push(...this.decoder.push(event));
    } catch (cause) {
      // A decoder that throws cannot be trusted with the rest; this is an unreadable upstream stream.
      this.broken = true;
      out.push({ type: 'error', error: new RelayError('api_error', 502, `${this.label}: unreadable upstream stream`, { cause }) });
    }
  }

  /** Decodes the skimmed event held for its cumulative usage (its content already went out). */
  private catchUp(out: IrStreamEvent[]): void {
    const held = this.lastSkimmed;
    this.lastSkimmed = undefined;
    if (held !== undefined) this.decodeOne(held, out);
  }

  private endDecoder(): IrStreamEvent[] {
    try {
      return this.decoder.end();
    } catch {
      return [];
    }
  }
}
