import { RelayError, toRelayError } from '../errors';
import type { Candidate } from '../routing/provider';
import { claimProviderAttempt, recordProviderFailure, recordProviderSuccess } from '../routing/provider-health';
import { AttemptFailure, type AttemptContext, type AttemptResult } from './attempt';
import { EncodingFailure } from './encoding-failure';
import { passthroughAttempt } from './passthrough';
import { translateAttempt } from './translate';

export type CandidatesResult =
  | { ok: true; attempt: AttemptResult }
  | {
      ok: false;
      error: RelayError;
      failure: { status: number; headers: Record<string, string>; body: string };
      lastAttempt?: { candidate: Candidate; upstreamFormat: AttemptResult['upstreamFormat'] };
    };

/**
 * Tries candidates in order until one answers. Connection errors, timeouts, 408/429/5xx/529 move on
 * to the next candidate (nothing has reached the client yet: for streams, "answers" means it sent its
 * first content event); other upstream errors (4xx: the request itself is wrong) are answered at once.
 * Errors the relay raises itself (validation, unsupported features) are the client's and are thrown
 * to the caller's error handler. Every upstream verdict feeds the provider's breaker, and a 429 or a
 * `retry-after` takes the provider out of candidate selection until then; a request the relay could
 * not encode (EncodingFailure) was never sent, so it moves on without a verdict.
 */
export const runCandidates = async (context: AttemptContext, candidates: Candidate[]): Promise<CandidatesResult> => {
  let last: { error: RelayError; failure: { status: number; headers: Record<string, string>; body: string }; candidate: Candidate } | undefined;
  for (const candidate of candidates) {
    const upstreamFormat = candidate.formatFor(context.clientFormat);
    claimProviderAttempt(candidate.provider.id, Date.now());
    try {
      const attempt =
        upstreamFormat === context.clientFormat ? await passthroughAttempt(context, candidate) : await translateAttempt(context, candidate);
      recordProviderSuccess(candidate.provider.id);
      return { ok: true, attempt };
    } catch (thrown) {
      const failure = asAttemptFailure(thrown, context);
      if (failure === undefined) throw thrown;
      if (failure.retryable && !context.signal.aborted && !(failure instanceof EncodingFailure)) recordFailure(candidate, failure);
      const response = failure.clientResponse ?? encodeForClient(failure.error, context);
      last = { error: failure.error, failure: response, candidate };
      if (!failure.retryable || context.signal.aborted) break;
    }
  }
  if (last === undefined) throw new RelayError('overloaded', 503, 'no upstream available for this model');
  const upstreamFormat = last.candidate.formatFor(context.clientFormat);
  return { ok: false, error: last.error, failure: last.failure, lastAttempt: { candidate: last.candidate, upstreamFormat } };
};

const recordFailure = (candidate: Candidate, failure: AttemptFailure): void => {
  const { error } = failure;
  const rateLimited = error.kind === 'rate_limit' || error.upstreamStatus === 429;
  const retryAfterMs = error.retryAfterSeconds === undefined ? undefined : error.retryAfterSeconds * 1000;
  recordProviderFailure(candidate.provider.id, Date.now(), { rateLimited, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
};

/** Upstream-side failures become AttemptFailures; the relay's own 4xx verdicts stay thrown. */
const asAttemptFailure = (thrown: unknown, context: AttemptContext): AttemptFailure | undefined => {
  if (thrown instanceof AttemptFailure) return thrown;
  // The client went away before any byte: nothing to retry for, but the pipeline still refunds and records.
  if (context.signal.aborted) return new AttemptFailure(new RelayError('api_error', 499, 'client closed the request', { cause: thrown }), false);
  if (thrown instanceof RelayError) {
    const upstreamSide = thrown.upstreamStatus !== undefined || thrown.kind === 'timeout' || thrown.status >= 500;
    return upstreamSide ? new AttemptFailure(thrown, !context.signal.aborted) : undefined;
  }
  // An upstream body we could not decode (e.g. invalid JSON on a 200) is the upstream's fault.
  const error = toRelayError(thrown);
  return new AttemptFailure(new RelayError('api_error', 502, 'upstream returned a response the relay could not read', { cause: error.cause }), true);
};

const encodeForClient = (error: RelayError, context: AttemptContext) => {
  const encoded = context.clientCodec.encodeError(error, context.requestId);
  return { status: encoded.status, headers: { 'content-type': 'application/json', ...encoded.headers }, body: JSON.stringify(encoded.body) };
};
