import { RelayError, toRelayError } from '../errors';
import { DEFAULT_MAX_RETRIES, type Candidate } from '../routing/provider';
import { claimProviderAttempt, isProviderHealthy, recordProviderFailure, recordProviderSuccess } from '../routing/provider-health';
import { clientErrorResponse, type ClientErrorResponse } from '../protocols/client-error';
import { AttemptFailure, type AttemptContext, type AttemptResult } from './attempt';
import { clientSafeFailure } from './client-safe-failure';
import { REQUEST_RETRY_DEADLINE_MS } from './deadline';
import { EncodingFailure } from './encoding-failure';
import { passthroughPlan } from './passthrough-plan';
import { backoff, sameProviderRetryDelay } from './retry-policy';
import { runAttempt } from './run-attempt';
import { attemptInSession } from './session-attempt';
import { translationPlan } from './translation-plan';

/** How hard the engine worked for one request: same-provider retries, and candidates tried after the first. */
export interface AttemptCounts {
  retries: number;
  fallbacks: number;
}

export type CandidatesResult = (
  | { ok: true; attempt: AttemptResult }
  | {
      ok: false;
      error: RelayError;
      failure: ClientErrorResponse;
      lastAttempt?: { candidate: Candidate; upstreamFormat: AttemptResult['upstreamFormat'] };
    }
) & { counts: AttemptCounts };

interface Settled {
  error: RelayError;
  failure: ClientErrorResponse;
  candidate: Candidate;
}

type CandidateOutcome = { ok: true; attempt: AttemptResult } | { ok: false; last: Settled; next: boolean };

/**
 * Tries candidates in order until one answers (nothing has reached the client yet: for streams,
 * "answers" means it sent its first content event). A transient failure (5xx, 529, a connection
 * that broke before the first byte) is first retried on the same provider, up to its `maxRetries`,
 * with backoff (see retry-policy.ts); then, like timeouts, 408 and 429, it moves on to the next
 * candidate. Other upstream errors (4xx: the request itself is wrong) are answered at once; so is
 * every failure once the client has gone. Errors the relay raises itself (validation, unsupported
 * features) are the client's and are thrown to the caller's error handler. Every upstream verdict
 * feeds the provider's breaker (a 429 only reorders later requests); a request the relay could not
 * encode (EncodingFailure) was never sent, so it moves on without a verdict. What the client gets of
 * an upstream's failure is made safe first (client-safe-failure.ts).
 */
export const runCandidates = async (context: AttemptContext, candidates: Candidate[]): Promise<CandidatesResult> => {
  const deadline = Date.now() + REQUEST_RETRY_DEADLINE_MS;
  const counts: AttemptCounts = { retries: 0, fallbacks: 0 };
  let last: Settled | undefined;
  for (const candidate of candidates) {
    if (last !== undefined) counts.fallbacks++;
    const outcome = await runCandidate(context, candidate, deadline, counts);
    if (outcome.ok) return { ...outcome, counts };
    last = outcome.last;
    if (!outcome.next) break;
  }
  if (last === undefined) throw new RelayError('overloaded', 503, 'no upstream available for this model');
  const upstreamFormat = last.candidate.formatFor(context.clientFormat);
  return { ok: false, error: last.error, failure: last.failure, lastAttempt: { candidate: last.candidate, upstreamFormat }, counts };
};

/** One candidate: its first attempt and its same-provider retries. */
const runCandidate = async (context: AttemptContext, candidate: Candidate, deadline: number, counts: AttemptCounts): Promise<CandidateOutcome> => {
  const { provider } = candidate;
  const maxRetries = provider.maxRetries ?? DEFAULT_MAX_RETRIES;
  const upstreamFormat = candidate.formatFor(context.clientFormat);
  for (let retriesDone = 0; ; retriesDone++) {
    claimProviderAttempt(provider.id, Date.now());
    try {
      const attempt = await attemptInSession(context, candidate, upstreamFormat === context.clientFormat ? passthroughAttempt : translatedAttempt);
      recordProviderSuccess(provider.id, Date.now(), candidate.upstreamModel);
      return { ok: true, attempt };
    } catch (thrown) {
      // The upstream failed while the client was still there: nothing of this attempt is owed.
      if (!context.signal.aborted) context.upstreamWork?.failed();
      const raw = asAttemptFailure(thrown, context);
      if (raw === undefined) throw thrown;
      const failure = clientSafeFailure(raw, candidate, context.requestId);
      if (failure.retryable && !context.signal.aborted && !(failure instanceof EncodingFailure)) recordFailure(candidate, failure);
      const last = { error: failure.error, failure: failure.clientResponse ?? clientErrorResponse(context.clientFormat, failure.error, context.requestId), candidate };
      if (!failure.retryable || context.signal.aborted) return { ok: false, last, next: false };
      const now = Date.now();
      const delay = sameProviderRetryDelay(failure, { retriesDone, maxRetries, now, deadline });
      // A breaker that this very failure opened says the provider is down: no point retrying it now.
      if (delay === undefined || !isProviderHealthy(provider.id, now)) return { ok: false, last, next: true };
      await backoff(delay, context.signal);
      counts.retries++;
      if (context.signal.aborted) return { ok: false, last: { ...last, ...clientGone(context) }, next: false };
    }
  }
};

/** The upstream speaks the client's format: its answer is relayed as it is (passthrough-plan.ts). */
const passthroughAttempt = (context: AttemptContext, candidate: Candidate): Promise<AttemptResult> => runAttempt(context, candidate, passthroughPlan(context, candidate));

/** Another format upstream: the request and the answer go through the IR (translation-plan.ts). */
const translatedAttempt = (context: AttemptContext, candidate: Candidate): Promise<AttemptResult> => runAttempt(context, candidate, translationPlan(context, candidate));

const clientGone = (context: AttemptContext): { error: RelayError; failure: ClientErrorResponse } => {
  const error = new RelayError('api_error', 499, 'client closed the request');
  return { error, failure: clientErrorResponse(context.clientFormat, error, context.requestId) };
};

const recordFailure = (candidate: Candidate, failure: AttemptFailure): void => {
  const { error } = failure;
  const rateLimited = error.kind === 'rate_limit' || error.upstreamStatus === 429;
  const retryAfterMs = failure.retryAfterMs ?? (error.retryAfterSeconds === undefined ? undefined : error.retryAfterSeconds * 1000);
  recordProviderFailure(candidate.provider.id, Date.now(), {
    rateLimited,
    upstreamModel: candidate.upstreamModel,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
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
