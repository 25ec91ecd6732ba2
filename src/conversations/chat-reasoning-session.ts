import { assistantContentCollector, openChatReasoningState } from './chat-reasoning-store';
import type { OpenConversation } from './session';

/**
 * Chat clients answered by an upstream with reasoning state get that state back on their next tool
 * step (see chat-reasoning-store.ts). Only translated answers carry such state, so a request no
 * other format may answer reads nothing.
 */
export const openChatReasoningSession: OpenConversation = async ({ env, accountId, requestId, body, mayTranslate }) => {
  if (!mayTranslate) return undefined;
  const state = await openChatReasoningState(env, accountId, requestId, body);
  const { remember } = state;
  return {
    body,
    changed: false,
    restore: (request) => state.restore(request),
    ...(remember === undefined
      ? {}
      : {
          observe: {
            answer: (response) => remember(() => response.content),
            stream: () => {
              // Each attempt rebuilds its own content: the one that answers is the last remembered.
              const collector = assistantContentCollector();
              remember(collector.content);
              return { irEvent: collector.push };
            },
          },
        }),
    keep: () => state.keep(),
  };
};
