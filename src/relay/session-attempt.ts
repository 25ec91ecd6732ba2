import { answerIdOf, assertOwnsUpstreamState, bindUpstreamResponse, upstreamStoresAnswer } from '../conversations/upstream-response-owners';
import { conversationStateOf } from '../protocols/registry';
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
  if (codec.withoutProviderBoundState === undefined) return attempt(context, candidate);
  const drop = (body: Record<string, unknown>) => codec.withoutProviderBoundState?.(body);
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
 * The answer's id is recorded as the account's before the client can name it: a whole answer waits
 * for the write; a stream's write (its id came with the first event) is started now and joins the
 * stream's delivery, which the pipeline keeps alive.
 */
const boundToAccount = async (context: AttemptContext, accountId: string, result: AttemptResult): Promise<AttemptResult> => {
  const bind = (id: string | undefined): Promise<void> =>
    id === undefined
      ? Promise.resolve()
      : bindUpstreamResponse(context.env, accountId, id).catch((error: unknown) =>
          console.error(JSON.stringify({ message: 'upstream response owner could not be recorded', requestId: context.requestId, error: String(error) })),
        );
  if (typeof result.body === 'string') {
    await bind(answerIdOf(result.body));
    return result;
  }
  const early = result.outcome.upstreamId === undefined ? undefined : bind(result.outcome.upstreamId);
  if (result.delivered === undefined) return result;
  const delivered = result.delivered.then(async (delivery) => {
    await (early ?? bind(result.outcome.upstreamId));
    return delivery;
  });
  return { ...result, delivered };
};

/**
 * One attempt on one candidate, as part of the client's session: provider-bound state is handled on
 * passthrough, stored upstream responses stay with the account that made them, and the provider
 * that answered is remembered as the session's (cache affinity, see src/routing/session-affinity.ts).
 */
export const attemptInSession = async (context: AttemptContext, candidate: Candidate, attempt: Attempt): Promise<AttemptResult> => {
  const passthrough = candidate.formatFor(context.clientFormat) === context.clientFormat;
  const accountId = context.session?.accountId;
  const upstreamStored = passthrough && accountId !== undefined && conversationStateOf(context.clientFormat) === 'responses-chain';
  if (upstreamStored) await assertOwnsUpstreamState(context.env, accountId, context.body);
  let result = passthrough ? await passthroughWithBoundState(context, candidate, attempt) : await attempt(context, candidate);
  if (upstreamStored && upstreamStoresAnswer(context.body)) result = await boundToAccount(context, accountId, result);
  const key = context.session?.key;
  if (key !== undefined) rememberSessionProvider(key, candidate.provider.id, result.upstreamFormat);
  return result;
};
