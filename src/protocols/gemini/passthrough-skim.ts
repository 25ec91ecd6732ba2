import type { PassthroughSkimmer } from '../codec';
import { looksLikeObject, setFieldTest, stringValuesLength } from '../shared/skim';

const finishes = setFieldTest(['finishReason']);
const mentionsFunctionCall = setFieldTest([], ['functionCall']);
/** A finishReason or a blocked prompt, or the word "error" anywhere: decoded. */
const endsOrFails = setFieldTest(['finishReason', 'promptFeedback'], ['error']);
/** The same until the first function call was seen: one pass over a plain chunk either way. */
const endsOrFailsOrCalls = setFieldTest(['finishReason', 'promptFeedback'], ['error', 'functionCall']);
const partText = stringValuesLength(['text']);

/**
 * Gemini passthrough: chunks of plain parts are skimmed. Decoded: the chunk with a finishReason and
 * every one after it (usage may follow the end), a blocked prompt, an error, and the first chunk with
 * a function call (the stop reason becomes tool use from it). Every chunk repeats the cumulative
 * usage, so the last skimmed chunk is decoded before the next decoded one (`cumulativeUsage`).
 */
export const geminiPassthroughSkimmer = (): PassthroughSkimmer => {
  let sawFunctionCall = false;
  let ended = false;
  return {
    cumulativeUsage: true,
    skim(event) {
      const { data } = event;
      if (ended || !looksLikeObject(data)) return undefined;
      if (!(sawFunctionCall ? endsOrFails : endsOrFailsOrCalls)(data)) return partText(data);
      ended = finishes(data);
      sawFunctionCall ||= mentionsFunctionCall(data);
      return undefined;
    },
  };
};
