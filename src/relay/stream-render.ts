import type { RelayError } from '../errors';
import type { IrStreamEvent } from '../ir/stream-event';
import type { ClientContext, Codec } from '../protocols/codec';
import type { SseEvent } from '../sse/event';
import { stageStep } from '../streams/stage-step';
import type { StreamFraming } from './stream-framing';
import type { ChunkFacts, StreamRenderer } from './stream-relay';

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

const tailFor = (ir: IrStreamEvent[], errorTail: PassthroughErrorTail, seen: SeenEvents): SseEvent[] => {
  const error = ir.find((event) => event.type === 'error');
  return error?.type === 'error' ? errorTail(error.error, seen) : [];
};

const see = (seen: SeenEvents, events: SseEvent[]): void => {
  if (events.length === 0) return;
  seen.first ??= events[0];
  seen.last = events[events.length - 1];
};

/** Passthrough: the upstream's bytes exactly as sent (re-framed only when the client asked another framing); an in-stream error is added only if the upstream was cut. */
export const rawRenderer = (errorTail: PassthroughErrorTail, framing: StreamFraming): StreamRenderer => {
  const seen: SeenEvents = { first: undefined, last: undefined };
  let boundary = true;
  return {
    chunk(facts: ChunkFacts) {
      see(seen, facts.sse);
      if (!framing.isSse) return framing.frame(facts.sse);
      boundary = endsEvent(facts.bytes);
      return [facts.bytes];
    },
    end: (ir) => [...framing.frame(tailFor(ir, errorTail, seen)), ...framing.close()],
    cancel: () => {},
    atEventBoundary: () => boundary,
  };
};

/** Whether a chunk ends with a blank line (an upstream may split an event across chunks; then it does not). */
const endsEvent = (bytes: Uint8Array): boolean => {
  const n = bytes.length;
  const last = bytes[n - 1];
  const before = bytes[n - 2];
  return (last === 10 && (before === 10 || (before === 13 && bytes[n - 3] === 10))) || (last === 13 && before === 13);
};

/** Passthrough with a codec's event filter (the relay changed the request in a way the client must not see). */
export const filteredRenderer = (filter: Transformer<SseEvent, SseEvent>, errorTail: PassthroughErrorTail, framing: StreamFraming): StreamRenderer => {
  const step = stageStep(filter);
  const seen: SeenEvents = { first: undefined, last: undefined };
  return {
    chunk(facts) {
      see(seen, facts.sse);
      const out: SseEvent[] = [];
      for (const event of facts.sse) out.push(...step.push(event));
      return framing.frame(out);
    },
    end: (ir) => [...framing.frame([...step.end(), ...tailFor(ir, errorTail, seen)]), ...framing.close()],
    cancel: (reason) => step.abort(reason),
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
  };
};
