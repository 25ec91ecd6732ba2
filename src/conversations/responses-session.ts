import { finalResponseOf } from '../protocols/openai-responses/final-response';
import { openResponsesState } from './responses-store';
import type { OpenConversation } from './session';
import { storedUpstreamResponse } from './upstream-state';

/**
 * Responses clients build on earlier answers (`previous_response_id`, `item_reference`): the stored
 * turns go into the body before anything else reads it, and an answer the relay encoded itself is
 * kept, whole or from its stream's final event (see responses-store.ts).
 */
export const openResponsesSession: OpenConversation = async ({ env, accountId, requestId, body, upstreamState }) => {
  const storedUpstream = async (responseId: string) => upstreamState !== undefined && storedUpstreamResponse(await upstreamState, responseId);
  const state = await openResponsesState(env, accountId, requestId, body, storedUpstream);
  // The session's parts that outlive the request take only these two (state also holds the resolved body).
  const { remember, keep } = state;
  return {
    body: state.body,
    changed: state.changed,
    restore: (request) => request,
    ...(remember === undefined
      ? {}
      : {
          observe: {
            answer: (_response, encoded) => remember(encoded),
            stream: () => ({
              clientEvent: (event) => {
                const response = finalResponseOf(event);
                if (response !== undefined) remember(response);
              },
            }),
          },
        }),
    keep,
  };
};
