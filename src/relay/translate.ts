import { codecFor } from '../protocols/registry';
import type { Candidate } from '../routing/provider';
import { decodeSse } from '../sse/decode';
import { encodeSse } from '../sse/encode';
import { AttemptFailure, type AttemptContext, type AttemptResult } from './attempt';
import { withIdleTimeout } from './idle-timeout';
import { SSE_HEADERS } from './passthrough';
import { fetchUpstream, isRetryableStatus } from './upstream-fetch';
import { irUsageTap, newOutcome } from './usage-tap';

const DEFAULT_IDLE_TIMEOUT_MS = 120_000;

/**
 * Client format ≠ upstream format: client request → IR → upstream request; upstream response or
 * stream → IR → client format. Streams are a pipeThrough chain, one event at a time.
 */
export const translateAttempt = async (context: AttemptContext, candidate: Candidate): Promise<AttemptResult> => {
  const upstreamFormat = candidate.formatFor(context.clientFormat);
  const upstreamCodec = codecFor(upstreamFormat);
  const request = context.ir();
  const target = { model: candidate.upstreamModel, stream: request.stream };
  const response = await fetchUpstream(context.env, {
    provider: candidate.provider,
    format: upstreamFormat,
    target,
    encoded: upstreamCodec.encodeRequest(request, target),
    signal: context.signal,
  });

  if (!response.ok) {
    const error = upstreamCodec.decodeError(response.status, await response.text(), response.headers);
    const encoded = context.clientCodec.encodeError(error, context.requestId);
    throw new AttemptFailure(error, isRetryableStatus(response.status), {
      status: encoded.status,
      headers: { 'content-type': 'application/json', ...encoded.headers },
      body: JSON.stringify(encoded.body),
    });
  }

  const outcome = newOutcome();
  const clientContext = { requestId: context.requestId, request, created: context.created };
  const base = { status: 200, outcome, upstreamFormat, candidate };
  if (!request.stream || response.body === null) {
    const decoded = upstreamCodec.decodeResponse(await response.json());
    outcome.usage = decoded.usage;
    outcome.stopReason = decoded.stopReason;
    outcome.finished = true;
    return { ...base, headers: { 'content-type': 'application/json' }, body: JSON.stringify(context.clientCodec.encodeResponse(decoded, clientContext)) };
  }

  const idleMs = candidate.provider.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const body = withIdleTimeout(response.body, idleMs, candidate.provider.id)
    .pipeThrough(decodeSse())
    .pipeThrough(upstreamCodec.decodeStream())
    .pipeThrough(irUsageTap(outcome))
    .pipeThrough(context.clientCodec.encodeStream(clientContext))
    .pipeThrough(encodeSse());
  return { ...base, headers: SSE_HEADERS, body };
};
