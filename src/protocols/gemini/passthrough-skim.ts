import type { PassthroughSkimmer } from '../codec';
import { hasSetField, looksLikeObject, stringValueLength } from '../shared/skim';

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
      if (hasSetField(data, '"finishReason"')) {
        ended = true;
        return undefined;
      }
      if (hasSetField(data, '"promptFeedback"') || data.includes('"error"')) return undefined;
      if (!sawFunctionCall && data.includes('"functionCall"')) {
        sawFunctionCall = true;
        return undefined;
      }
      return stringValueLength(data, '"text"');
    },
  };
};
