import { RelayError, toRelayError } from '../errors';
import type { IrResponse } from '../ir/response';
import { codecFor } from '../protocols/registry';
import type { Candidate } from '../routing/provider';
import { AttemptFailure, type AttemptContext, type AttemptResult } from './attempt';
import { translatedRenderer } from '../streams/stream-render';
import { openClientStream } from '../streams/client-stream';
import { encodeFor } from './encoding-failure';
import { fetchUpstream, firstByteTimeoutOf, idleTimeoutOf } from './upstream-fetch';
import { isJsonResponse, jsonInsteadOfStream, linkedAbort, readJsonAnswer, statusFailure } from './upstream-response';
import { newOutcome, observeAnswer } from '../streams/usage-tap';
import type { SseEvent } from '../streams/sse-event';
import type { IrStreamEvent } from '../ir/stream-event';
import { assistantContentCollector } from '../conversations/chat-reasoning-store';

/** The Responses object of a stream's final `response.completed` / `response.incomplete` event, for `remember`. */
const finalResponseWatcher = (remember: ((response: unknown) => void) | undefined) =>
  remember === undefined
    ? undefined
    : (event: SseEvent) => {
        if (event.event !== 'response.completed' && event.event !== 'response.incomplete') return;
        remember((JSON.parse(event.data) as { response?: unknown }).response);
      };

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
 * Client format ≠ upstream format: client request → IR → upstream request; upstream response or
 * stream → IR → client format. Streams go one upstream chunk at a time through the upstream decoder
 * and the client encoder (see StreamRelay); a cut upstream becomes the client format's in-stream error.
 */
export const translateAttempt = async (context: AttemptContext, candidate: Candidate): Promise<AttemptResult> => {
  const { provider } = candidate;
  const upstreamFormat = candidate.formatFor(context.clientFormat);
  const upstreamCodec = codecFor(upstreamFormat);
  const request = encodeFor(provider.id, context.ir);
  const target = { model: candidate.upstreamModel, stream: request.stream, profile: candidate.model };
  const encoded = encodeFor(provider.id, () => upstreamCodec.encodeRequest(request, target));
  const upstream = linkedAbort(context.signal);
  const firstContentBy = Date.now() + firstByteTimeoutOf(provider);
  const outcome = newOutcome();
  context.upstreamWork?.sent(outcome);
  const response = await fetchUpstream(context.env, { provider, format: upstreamFormat, target, encoded, signal: upstream.signal });

  if (!response.ok) {
    // The client gets the upstream's error in its own shape, encoded once the fallback loop is done with it.
    throw await statusFailure(upstreamCodec, response, () => undefined);
  }

  const clientContext = { requestId: context.requestId, request, created: context.created };
  const base = { status: 200, outcome, upstreamFormat, candidate };
  const idleMs = idleTimeoutOf(provider);
  const abortUpstream = (reason: unknown) => upstream.abort(reason);
  if (request.stream && response.body !== null && isJsonResponse(response)) throw await jsonInsteadOfStream(upstreamCodec, response, idleMs, provider.id, abortUpstream);
  if (!request.stream || response.body === null) {
    const { value } = await readJsonAnswer(upstreamCodec, response, idleMs, provider.id, abortUpstream);
    let decoded: IrResponse;
    try {
      decoded = upstreamCodec.decodeResponse(value);
    } catch (cause) {
      const message = `${provider.id}: upstream response could not be read`;
      throw new AttemptFailure(new RelayError('api_error', 502, message, { cause: toRelayError(cause), upstreamStatus: 502 }), true);
    }
    observeAnswer(outcome, decoded);
    const encodedResponse = context.clientCodec.encodeResponse(decoded, clientContext);
    context.remember?.(encodedResponse);
    context.rememberAssistant?.(() => decoded.content);
    return { ...base, headers: { 'content-type': 'application/json' }, body: JSON.stringify(encodedResponse) };
  }

  const collector = context.rememberAssistant === undefined ? undefined : assistantContentCollector();
  if (collector !== undefined) context.rememberAssistant?.(collector.content);
  const clientEncoder = watchedEncoder(context.clientCodec.encodeStreamStage(clientContext), collector?.push);
  const stream = await openClientStream({
    context,
    provider,
    body: response.body,
    decoder: upstreamCodec.decodeStreamStage(),
    renderer: (framing) => translatedRenderer(clientEncoder, framing, finalResponseWatcher(context.remember)),
    outcome,
    idleMs,
    firstContentBy,
    abortUpstream,
  });
  return { ...base, ...stream };
};
