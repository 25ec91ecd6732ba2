import type { RelayError } from '../errors';
import type { IrStreamEvent } from '../ir/stream-event';
import type { ClientContext, Codec } from '../protocols/codec';
import { formatSseEvent } from '../sse/encode';
import type { SseEvent } from '../sse/event';
import { stageStep } from '../streams/stage-step';
import type { ChunkFacts, StreamRenderer } from './stream-relay';

const encoder = new TextEncoder();

/** All events of one upstream chunk as one byte chunk (one encode, one client write). */
const toBytes = (events: SseEvent[]): Uint8Array[] => {
  if (events.length === 0) return [];
  let text = '';
  for (const event of events) text += formatSseEvent(event);
  return [encoder.encode(text)];
};

/**
 * The in-stream error a client of `codec` expects, for a stream the relay did not encode itself
 * (passthrough). Built with the format's own encoder fed `start` then `error`; only what the error
 * produced is kept, since the client already got the upstream's own opening events.
 */
export const passthroughErrorTail = (codec: Codec, context: ClientContext, error: RelayError): Uint8Array[] => {
  const encoderStep = stageStep(codec.encodeStreamStage(context));
  encoderStep.push({ type: 'start', id: context.requestId, model: context.request.model });
  const tail = [...encoderStep.push({ type: 'error', error }), ...encoderStep.end()];
  return toBytes(tail);
};

const tailFor = (ir: IrStreamEvent[], errorTail: (error: RelayError) => Uint8Array[]): Uint8Array[] => {
  const error = ir.find((event) => event.type === 'error');
  return error?.type === 'error' ? errorTail(error.error) : [];
};

/** Passthrough: the upstream's bytes exactly as sent; an in-stream error is added only if the upstream was cut. */
export const rawRenderer = (errorTail: (error: RelayError) => Uint8Array[]): StreamRenderer => ({
  chunk: (facts: ChunkFacts) => [facts.bytes],
  end: (ir) => tailFor(ir, errorTail),
  cancel: () => {},
});

/** Passthrough with a codec's event filter (the relay changed the request in a way the client must not see). */
export const filteredRenderer = (filter: Transformer<SseEvent, SseEvent>, errorTail: (error: RelayError) => Uint8Array[]): StreamRenderer => {
  const step = stageStep(filter);
  return {
    chunk(facts) {
      const out: SseEvent[] = [];
      for (const event of facts.sse) out.push(...step.push(event));
      return toBytes(out);
    },
    end: (ir) => [...toBytes(step.end()), ...tailFor(ir, errorTail)],
    cancel: (reason) => step.abort(reason),
  };
};

/** Translation: every IR event through the client's encoder; its own error and EOF handling finish the stream. */
export const translatedRenderer = (clientEncoder: Transformer<IrStreamEvent, SseEvent>): StreamRenderer => {
  const step = stageStep(clientEncoder);
  const encode = (events: IrStreamEvent[]) => {
    const out: SseEvent[] = [];
    for (const event of events) out.push(...step.push(event));
    return out;
  };
  return {
    chunk: (facts) => toBytes(encode(facts.ir)),
    end: (ir) => toBytes([...encode(ir), ...step.end()]),
    cancel: (reason) => step.abort(reason),
  };
};
