import type { RelayError } from '../errors';
import type { IrStreamEvent } from '../ir/stream-event';
import type { ClientContext, Codec } from '../protocols/codec';
import type { SseEvent } from './sse-event';
import { stageStep } from './stage-step';
import { formatSseEvent } from './sse-encode';
import type { StreamFraming } from './stream-framing';
import type { ChunkFacts, StreamRenderer } from './stream-relay';
import { endsEvent, firstEventEnd, lastEventEnd } from './event-bytes';
import { isWellFormed, looksWhole } from './well-formed';

/** What a passthrough renderer has seen of the upstream's events, for the error it may append. */
interface SeenEvents {
  first: SseEvent | undefined;
  last: SseEvent | undefined;
}

export type PassthroughErrorTail = (error: RelayError, seen: SeenEvents) => SseEvent[];

/**
 * The in-stream error a client of `codec` expects, for a stream the relay did not encode itself
 * (passthrough). Built with the format's own encoder fed `start` then `error`; only what the error
 * produced is kept, since the client already got the upstream's own opening events, and the codec
 * may make it continue those (numbering, ids).
 */
export const passthroughErrorTail =
  (codec: Codec, context: () => ClientContext): PassthroughErrorTail =>
  (error, seen) => {
    const clientContext = context();
    const encoderStep = stageStep(codec.encodeStreamStage(clientContext));
    encoderStep.push({ type: 'start', id: clientContext.requestId, model: clientContext.request.model });
    const tail = [...encoderStep.push({ type: 'error', error }), ...encoderStep.end()];
    return codec.continuePassthroughStream?.(tail, seen.first, seen.last) ?? tail;
  };

const errorIn = (ir: IrStreamEvent[]): RelayError | undefined => {
  for (const event of ir) if (event.type === 'error') return event.error;
  return undefined;
};

const tailFor = (ir: IrStreamEvent[], errorTail: PassthroughErrorTail, seen: SeenEvents): SseEvent[] => {
  const error = errorIn(ir);
  return error === undefined ? [] : errorTail(error, seen);
};

/**
 * The events of a passthrough chunk that holds a malformed event, from index `from` on. An SDK stops
 * at an event it cannot parse, before any error the relay could add, so such an event never goes out.
 * When the decoder failed on it, the client's stream ends there with the format's error (`broken`);
 * an event the decoder skipped is left out and the stream goes on. An event the decoder failed on that
 * does parse goes out as sent (the upstream's own error report, or an event only the relay's decoder
 * refuses), and so does the rest, as before.
 */
const sendableEvents = (facts: ChunkFacts, from: number): { events: SseEvent[]; broken: RelayError | undefined } => {
  const events: SseEvent[] = [];
  for (let i = 0; i < facts.sse.length; i++) {
    const event = facts.sse[i]!;
    if (i === facts.failedAt && !isWellFormed(event.data)) return { events, broken: errorIn(facts.ir) };
    if (i >= from && (i === facts.failedAt || looksWhole(event.data))) events.push(event);
  }
  return { events, broken: undefined };
};

const needsSorting = (facts: ChunkFacts): boolean => {
  if (facts.failedAt >= 0) return true;
  for (const event of facts.sse) if (!looksWhole(event.data)) return true;
  return false;
};

const see = (seen: SeenEvents, events: SseEvent[]): void => {
  if (events.length === 0) return;
  seen.first ??= events[0];
  seen.last = events[events.length - 1];
};

const encoder = new TextEncoder();

/**
 * Passthrough: the upstream's bytes exactly as sent (re-framed only when the client asked another
 * framing, or when a chunk holds a malformed event); an in-stream error is added when the upstream
 * was cut or broke its stream.
 */
export const rawRenderer = (errorTail: PassthroughErrorTail, framing: StreamFraming): StreamRenderer => {
  const seen: SeenEvents = { first: undefined, last: undefined };
  let boundary = true;
  let previous: Uint8Array | undefined;
  let broken: RelayError | undefined;
  const sorted = (facts: ChunkFacts): Uint8Array[] => {
    // An event whose first bytes already went out is finished with its own bytes: they cannot be taken back.
    const startsMid = framing.isSse && !boundary;
    const sendable = sendableEvents(facts, startsMid ? 1 : 0);
    broken = sendable.broken;
    see(seen, startsMid && facts.sse[0] !== undefined ? [facts.sse[0], ...sendable.events] : sendable.events);
    if (!framing.isSse) return framing.frame(sendable.events);
    const { bytes } = facts;
    const out: Uint8Array[] = [];
    const firstEnd = startsMid ? firstEventEnd(bytes, previous) : 0;
    if (startsMid) out.push(bytes.subarray(0, firstEnd));
    let text = '';
    for (const event of sendable.events) text += formatSseEvent(event);
    if (text !== '') out.push(encoder.encode(text));
    boundary = broken !== undefined || endsEvent(bytes);
    // The start of an event that ends in a later chunk goes out raw, as the fast path would send it.
    if (!boundary) out.push(bytes.subarray(Math.max(lastEventEnd(bytes, previous), firstEnd)));
    previous = bytes;
    return out;
  };
  return {
    chunk(facts: ChunkFacts) {
      if (needsSorting(facts)) return sorted(facts);
      see(seen, facts.sse);
      if (!framing.isSse) return framing.frame(facts.sse);
      boundary = endsEvent(facts.bytes);
      previous = facts.bytes;
      return [facts.bytes];
    },
    end: (ir) => [...framing.frame(broken === undefined ? tailFor(ir, errorTail, seen) : errorTail(broken, seen)), ...framing.close()],
    cancel: () => {},
    atEventBoundary: () => boundary,
    endsAtFailure: () => broken !== undefined,
  };
};

/**
 * Passthrough with a codec's event filter (the relay changed the request in a way the client must not
 * see). A chunk of whole events that all pass the filter unchanged goes out as the upstream's own
 * bytes, like an unfiltered passthrough; only a chunk the filter changed (or that starts or ends
 * inside an event) is framed anew.
 */
export const filteredRenderer = (filter: Transformer<SseEvent, SseEvent>, errorTail: PassthroughErrorTail, framing: StreamFraming): StreamRenderer => {
  const step = stageStep(filter);
  const seen: SeenEvents = { first: undefined, last: undefined };
  let broken: RelayError | undefined;
  /** The upstream's bytes so far end at an event boundary, so the next chunk starts with a whole event. */
  let upstreamAtBoundary = true;
  return {
    chunk(facts) {
      let events = facts.sse;
      const sorting = needsSorting(facts);
      if (sorting) {
        const sendable = sendableEvents(facts, 0);
        events = sendable.events;
        broken = sendable.broken;
      }
      see(seen, events);
      const out: SseEvent[] = [];
      let unchanged = !sorting;
      for (const event of events) {
        const passed = step.push(event);
        if (passed.length !== 1 || passed[0] !== event) unchanged = false;
        out.push(...passed);
      }
      const whole = upstreamAtBoundary && endsEvent(facts.bytes);
      upstreamAtBoundary = endsEvent(facts.bytes);
      return unchanged && whole && framing.isSse ? [facts.bytes] : framing.frame(out);
    },
    end: (ir) => {
      // After a malformed event the filter's held events (a finish it was keeping for the usage chunk) are moot.
      const closing = broken === undefined ? [...step.end(), ...tailFor(ir, errorTail, seen)] : errorTail(broken, seen);
      return [...framing.frame(closing), ...framing.close()];
    },
    cancel: (reason) => step.abort(reason),
    endsAtFailure: () => broken !== undefined,
  };
};

/** Translation: every IR event through the client's encoder; its own error and EOF handling finish the stream. `onEvent` sees each client event. */
export const translatedRenderer = (
  clientEncoder: Transformer<IrStreamEvent, SseEvent>,
  framing: StreamFraming,
  onEvent?: (event: SseEvent) => void,
): StreamRenderer => {
  const step = stageStep(clientEncoder);
  const encode = (events: IrStreamEvent[]) => {
    const out: SseEvent[] = [];
    for (const event of events) out.push(...step.push(event));
    if (onEvent !== undefined) for (const event of out) onEvent(event);
    return out;
  };
  return {
    chunk: (facts) => framing.frame(encode(facts.ir)),
    end: (ir) => [...framing.frame([...encode(ir), ...step.end()]), ...framing.close()],
    cancel: (reason) => step.abort(reason),
    // The client encoder has written the error: the stream is over, whatever else the upstream sends.
    endsAtFailure: () => true,
  };
};
