import type { Candidate } from '../routing/provider';
import { openClientStream } from '../streams/client-stream';
import { newOutcome } from '../streams/usage-tap';
import type { AttemptContext, AttemptResult } from './attempt';
import type { AttemptPlan } from './attempt-plan';
import { fetchUpstream, firstByteTimeoutOf, idleTimeoutOf } from './upstream-fetch';
import { isJsonResponse, jsonInsteadOfStream, linkedAbort, readJsonAnswer, statusFailure } from './upstream-response';

/**
 * One upstream attempt, the same for every plan: the upstream request is tied to the client's
 * signal, sent, and its answer read. A non-2xx answer, a JSON body where a stream was asked for, and
 * a whole answer that is an error all throw an AttemptFailure for the fallback loop. A whole answer
 * goes to the plan; a stream becomes the client's stream (framing, keepalives, timeouts) with the
 * plan's renderer, resolved once the upstream sent content.
 */
export const runAttempt = async (context: AttemptContext, candidate: Candidate, plan: AttemptPlan): Promise<AttemptResult> => {
  const { provider } = candidate;
  const codec = plan.upstreamCodec;
  const { request } = plan;
  const upstream = linkedAbort(context.signal);
  const firstContentBy = Date.now() + firstByteTimeoutOf(provider);
  const outcome = newOutcome();
  context.upstreamWork?.sent(outcome);
  const response = await fetchUpstream(context.env, { provider, format: codec.format, ...request, signal: upstream.signal });

  if (!response.ok) throw await statusFailure(codec, response, (error, text) => plan.failureResponse(error, text, response));

  const base = { status: plan.successStatus(response), outcome, upstreamFormat: codec.format, candidate };
  const idleMs = idleTimeoutOf(provider);
  // Not a closure of this scope: the stream keeps it, and this scope holds the plan (the encoded request).
  const abortUpstream = upstream.abort;
  const stream = request.target.stream;
  if (stream && response.body !== null && isJsonResponse(response)) throw await jsonInsteadOfStream(codec, response, idleMs, provider.id, abortUpstream);
  if (!stream || response.body === null) {
    const read = await readJsonAnswer(codec, response, idleMs, provider.id, abortUpstream);
    return { ...base, ...plan.answer(read, outcome) };
  }

  const opened = await openClientStream({
    context,
    provider,
    // The runtime types a fetch body's chunks loosely; they are bytes.
    body: response.body as ReadableStream<Uint8Array>,
    decoder: codec.decodeStreamStage(),
    ...plan.stream(),
    outcome,
    idleMs,
    firstContentBy,
    abortUpstream,
    unlinkClientSignal: upstream.unlink,
  });
  return { ...base, ...opened };
};
