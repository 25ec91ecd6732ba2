import { bindUpstreamAnswer, rememberUpstreamAnswer, storedAnswerOf, streamedItemIds, upstreamStoresAnswer } from '../conversations/upstream-response-owners';
import { assertOwnsUpstreamState, type KnownOwners } from '../conversations/upstream-state';
import type { RelayError } from '../errors';
import type { WireFormat } from '../ir/format';
import { codecFor, conversationStateOf } from '../protocols/registry';
import type { Candidate } from '../routing/provider';
import { rememberSessionProvider, sessionProviderOf } from '../routing/session-affinity';
import { AttemptFailure, type AttemptContext, type AttemptResult } from './attempt';

type Attempt = (context: AttemptContext, candidate: Candidate) => Promise<AttemptResult>;

/** State in a request that only the provider that minted it accepts, and how to send the request without it. */
interface BoundState {
  /** The upstream format whose providers mint it. */
  format: WireFormat;
  refused(error: RelayError): boolean;
  /** `context` without that state, or undefined when the request carries none. */
  stripped(context: AttemptContext): AttemptContext | undefined;
}

/**
 * The codec hooks for provider-bound state (see the Codec's `withoutProviderBoundState`): on
 * passthrough the client's body loses it, on translation the decoded request does, before the
 * upstream format's encoder runs again.
 */
const boundStateOf = (clientFormat: WireFormat, candidate: Candidate, passthrough: boolean): BoundState | undefined => {
  if (passthrough) {
    const codec = codecFor(clientFormat);
    if (codec.withoutProviderBoundState === undefined) return undefined;
    return {
      format: clientFormat,
      refused: (error) => codec.refusedProviderBoundState?.(error) === true,
      stripped: (context) => {
        const body = codec.withoutProviderBoundState?.(context.body);
        return body === undefined ? undefined : { ...context, body, bodyText: JSON.stringify(body) };
      },
    };
  }
  const format = candidate.formatFor(clientFormat);
  const codec = codecFor(format);
  if (codec.requestWithoutProviderBoundState === undefined) return undefined;
  return {
    format,
    refused: (error) => codec.refusedProviderBoundState?.(error) === true,
    stripped: (context) => {
      const request = codec.requestWithoutProviderBoundState?.(context.ir());
      return request === undefined ? undefined : { ...context, ir: () => request };
    },
  };
};

/** This isolate saw another provider of that format serve the session last: the state the session carries is that provider's. */
const mintedElsewhere = (context: AttemptContext, candidate: Candidate, format: WireFormat): boolean => {
  const key = context.session?.key;
  if (key === undefined) return false;
  const minter = sessionProviderOf(key, format);
  return minter !== undefined && minter !== candidate.provider.id;
};

/**
 * A request that may carry state only the provider that minted it accepts. Known to come from
 * another provider: sent without it. Unknown (a new isolate, another isolate served the last turn)
 * and refused by the upstream: sent once more, on the same candidate, without it. That upstream
 * answered with an error status, so nothing reached the client yet.
 */
const withBoundState = async (context: AttemptContext, candidate: Candidate, attempt: Attempt, bound: BoundState | undefined): Promise<AttemptResult> => {
  if (bound === undefined) return attempt(context, candidate);
  if (mintedElsewhere(context, candidate, bound.format)) return attempt(bound.stripped(context) ?? context, candidate);
  try {
    return await attempt(context, candidate);
  } catch (thrown) {
    if (!(thrown instanceof AttemptFailure) || context.signal.aborted || !bound.refused(thrown.error)) throw thrown;
    const stripped = bound.stripped(context);
    if (stripped === undefined) throw thrown;
    return attempt(stripped, candidate);
  }
};

/**
 * The ids a Responses upstream stored for this answer are recorded as the account's, at the
 * provider that stored them: this isolate knows them before the client can name them (a whole
 * answer's ids, a stream's response id from its first event), and one call to the account's object
 * records them all after the answer went out, a stream's with the output item ids the decoder saw,
 * joined to the stream's delivery, which the pipeline keeps alive.
 */
const boundToAccount = async (context: AttemptContext, accountId: string, candidate: Candidate, attempt: Attempt): Promise<AttemptResult> => {
  const providerId = candidate.provider.id;
  // The closures here live as long as the stream (its decoder, its delivery): none takes `context`, which holds the request.
  const { env, requestId } = context;
  const bind = (responseId: string | undefined, itemIds: readonly string[]): Promise<void> =>
    bindUpstreamAnswer(env, accountId, providerId, { ...(responseId === undefined ? {} : { responseId }), itemIds }).catch((error: unknown) =>
      console.error(JSON.stringify({ message: 'upstream response owner could not be recorded', requestId, error: String(error) })),
    );
  // The stream's events reach the upstream codec's decoder; the item ids are read off them on the way.
  const items = streamedItemIds();
  const codec = context.clientCodec;
  const watched: AttemptContext = {
    ...context,
    clientCodec: {
      ...codec,
      decodeStreamStage: () => {
        const decoder = codec.decodeStreamStage();
        return {
          start: (controller) => decoder.start?.call(decoder, controller),
          transform: (event, controller) => {
            items.see(event);
            return decoder.transform?.call(decoder, event, controller);
          },
          flush: (controller) => decoder.flush?.call(decoder, controller),
        };
      },
    },
  };
  const result = await attempt(watched, candidate);
  // The records are written after the answer went out (on the answer's path they would delay it by
  // a round trip to the account's object); this isolate knows them at once.
  if (typeof result.body === 'string') {
    const answer = storedAnswerOf(result.body);
    rememberUpstreamAnswer(accountId, providerId, answer);
    return { ...result, afterResponse: () => bind(answer.responseId, answer.itemIds) };
  }
  if (result.outcome.upstreamId !== undefined) rememberUpstreamAnswer(accountId, providerId, { responseId: result.outcome.upstreamId, itemIds: [] });
  if (result.delivered === undefined) return result;
  const delivered = result.delivered.then(async (delivery) => {
    await bind(result.outcome.upstreamId, items.ids());
    return delivery;
  });
  return { ...result, delivered };
};

/**
 * One attempt on one candidate, as part of the client's session: provider-bound state is handled,
 * stored upstream responses stay with the account and the provider that made them, and the
 * provider that answered is remembered as the session's (cache affinity, see
 * src/routing/session-affinity.ts).
 */
export const attemptInSession = async (context: AttemptContext, candidate: Candidate, attempt: Attempt): Promise<AttemptResult> => {
  const passthrough = candidate.formatFor(context.clientFormat) === context.clientFormat;
  const accountId = context.session?.accountId;
  const upstreamStored = passthrough && accountId !== undefined && conversationStateOf(context.clientFormat) === 'responses-chain';
  const bound = boundStateOf(context.clientFormat, candidate, passthrough);
  const run: Attempt = (attemptContext, target) => withBoundState(attemptContext, target, attempt, bound);
  let result: AttemptResult;
  if (upstreamStored) {
    const known: KnownOwners = context.upstreamState ?? { accountId, records: new Map(), waited: new Set() };
    await assertOwnsUpstreamState(context.env, known, context.body, candidate.provider.id);
    result = upstreamStoresAnswer(context.body) ? await boundToAccount(context, accountId, candidate, run) : await run(context, candidate);
  } else {
    result = await run(context, candidate);
  }
  const key = context.session?.key;
  if (key !== undefined) rememberSessionProvider(key, candidate.provider.id, result.upstreamFormat);
  return result;
};
