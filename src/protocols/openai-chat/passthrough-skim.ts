import type { PassthroughSkimmer } from '../codec';
import { looksLikeObject, setFieldTest, stringValuesLength } from '../shared/skim';

/** Usage, a finish_reason or a refusal set, or the word "error" anywhere: the chunk is decoded. */
const carriesMoreThanText = setFieldTest(['usage', 'finish_reason', 'refusal'], ['error']);
const hasToolCalls = setFieldTest(['tool_calls']);
/** The same until the first tool calls were seen: one pass over a content chunk either way. */
const carriesMoreThanTextOrTools = setFieldTest(['usage', 'finish_reason', 'refusal', 'tool_calls'], ['error']);
const deltaText = stringValuesLength(['content', 'reasoning_content', 'reasoning', 'arguments']);

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
      if (!(sawToolCalls ? carriesMoreThanText : carriesMoreThanTextOrTools)(data)) return deltaText(data);
      sawToolCalls ||= hasToolCalls(data);
      return undefined;
    },
  };
};
