import type { Candidate } from '../routing/provider';
import { rememberSessionProvider, sessionProviderOf } from '../routing/session-affinity';
import { AttemptFailure, type AttemptContext, type AttemptResult } from './attempt';

type Attempt = (context: AttemptContext, candidate: Candidate) => Promise<AttemptResult>;

const withBody = (context: AttemptContext, body: Record<string, unknown>): AttemptContext => ({ ...context, body, bodyText: JSON.stringify(body) });

/** This isolate saw another provider of the client's format serve the session last: the state the session carries is that provider's. */
const mintedElsewhere = (context: AttemptContext, candidate: Candidate): boolean => {
  const key = context.session?.key;
  if (key === undefined) return false;
  const minter = sessionProviderOf(key, context.clientFormat);
  return minter !== undefined && minter !== candidate.provider.id;
};

/**
 * A passthrough whose body may carry state only the provider that minted it accepts (see the codec's
 * `withoutProviderBoundState`). Known to come from another provider: sent without it. Unknown (a new
 * isolate, another isolate served the last turn) and refused by the upstream: sent once more, on the
 * same candidate, without it. That upstream answered with an error status, so nothing reached the client yet.
 */
const passthroughWithBoundState = async (context: AttemptContext, candidate: Candidate, attempt: Attempt): Promise<AttemptResult> => {
  const codec = context.clientCodec;
  const drop = codec.withoutProviderBoundState;
  if (drop === undefined) return attempt(context, candidate);
  if (mintedElsewhere(context, candidate)) {
    const body = drop(context.body);
    return attempt(body === undefined ? context : withBody(context, body), candidate);
  }
  try {
    return await attempt(context, candidate);
  } catch (thrown) {
    if (!(thrown instanceof AttemptFailure) || context.signal.aborted || codec.refusedProviderBoundState?.(thrown.error) !== true) throw thrown;
    const body = drop(context.body);
    if (body === undefined) throw thrown;
    return attempt(withBody(context, body), candidate);
  }
};

/**
 * One attempt on one candidate, as part of the client's session: provider-bound state is handled on
 * passthrough, and the provider that answered is remembered as the session's (cache affinity, see
 * src/routing/session-affinity.ts).
 */
export const attemptInSession = async (context: AttemptContext, candidate: Candidate, attempt: Attempt): Promise<AttemptResult> => {
  const passthrough = candidate.formatFor(context.clientFormat) === context.clientFormat;
  const result = passthrough ? await passthroughWithBoundState(context, candidate, attempt) : await attempt(context, candidate);
  const key = context.session?.key;
  if (key !== undefined) rememberSessionProvider(key, candidate.provider.id, result.upstreamFormat);
  return result;
};
