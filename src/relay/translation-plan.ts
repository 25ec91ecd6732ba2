import { RelayError, toRelayError } from '../errors';
import type { IrResponse } from '../ir/response';
import type { IrStreamEvent } from '../ir/stream-event';
import { codecFor } from '../protocols/registry';
import type { Candidate } from '../routing/provider';
import type { SseEvent } from '../streams/sse-event';
import { translatedRenderer } from '../streams/stream-render';
import { observeAnswer } from '../streams/usage-tap';
import { AttemptFailure, type AttemptContext } from './attempt';
import type { AttemptPlan } from './attempt-plan';
import { encodeFor } from './encoding-failure';
import { streamClientContext } from './stream-client-context';

/** The client encoder, also showing `see` each IR event it encodes. */
const watchedEncoder = (encoder: Transformer<IrStreamEvent, SseEvent>, see: ((event: IrStreamEvent) => void) | undefined): Transformer<IrStreamEvent, SseEvent> =>
  see === undefined
    ? encoder
    : {
        start: (controller) => encoder.start?.call(encoder, controller),
        transform: (event, controller) => {
          see(event);
          return encoder.transform?.call(encoder, event, controller);
        },
        flush: (controller) => encoder.flush?.call(encoder, controller),
      };

/**
 * Client format ≠ upstream format: client request → IR → upstream request; upstream answer or
 * stream → IR → client format, always with status 200. Streams go one upstream chunk at a time
 * through the upstream decoder and the client encoder (see StreamRelay); a cut upstream becomes the
 * client format's in-stream error. An upstream's error reaches the client in the client's own shape.
 * The client's conversation session, if it keeps anything, sees the answer (context.observe).
 */
export const translationPlan = (context: AttemptContext, candidate: Candidate): AttemptPlan => {
  const { provider } = candidate;
  const upstreamCodec = codecFor(candidate.formatFor(context.clientFormat));
  const request = encodeFor(provider.id, context.ir);
  const target = { model: candidate.upstreamModel, stream: request.stream, profile: candidate.model };
  const encoded = encodeFor(provider.id, () => upstreamCodec.encodeRequest(request, target));
  const clientContext = { requestId: context.requestId, request, created: context.created };
  return {
    upstreamCodec,
    request: { target, encoded },
    failureResponse: () => undefined,
    successStatus: () => 200,
    answer: ({ value }, outcome) => {
      let decoded: IrResponse;
      try {
        decoded = upstreamCodec.decodeResponse(value);
      } catch (cause) {
        const message = `${provider.id}: upstream response could not be read`;
        throw new AttemptFailure(new RelayError('api_error', 502, message, { cause: toRelayError(cause), upstreamStatus: 502 }), true);
      }
      observeAnswer(outcome, decoded);
      const encodedResponse = context.clientCodec.encodeResponse(decoded, clientContext);
      context.observe?.answer(decoded, encodedResponse);
      return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(encodedResponse) };
    },
    stream: () => {
      const watch = context.observe?.stream();
      const streamContext = streamClientContext(context.requestId, request, context.created);
      const clientEncoder = watchedEncoder(context.clientCodec.encodeStreamStage(streamContext), watch?.irEvent);
      return { renderer: (framing) => translatedRenderer(clientEncoder, framing, watch?.clientEvent) };
    },
  };
};
