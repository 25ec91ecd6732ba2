import type { PassthroughSkimmer } from '../codec';
import { hasSetField, looksLikeObject, stringValueLength } from '../shared/skim';

/**
 * Chat passthrough: chunks that only carry content, reasoning or tool-call argument deltas are
 * skimmed. Decoded: anything with usage, a finish_reason, a refusal or an error, `event: error`
 * frames, `[DONE]`, and the first chunk with tool calls (the stop reason becomes tool_use from it).
 */
export const openAIChatPassthroughSkimmer = (): PassthroughSkimmer => {
  let sawToolCalls = false;
  return {
    skim(event) {
      const { data } = event;
      if (event.event !== undefined || !looksLikeObject(data)) return undefined;
      if (hasSetField(data, '"usage"') || hasSetField(data, '"finish_reason"') || hasSetField(data, '"refusal"') || data.includes('"error"')) return undefined;
      if (!sawToolCalls && hasSetField(data, '"tool_calls"')) {
        sawToolCalls = true;
        return undefined;
      }
      return (
        stringValueLength(data, '"content"') +
        stringValueLength(data, '"reasoning_content"') +
        stringValueLength(data, '"reasoning"') +
        stringValueLength(data, '"arguments"')
      );
    },
  };
};
