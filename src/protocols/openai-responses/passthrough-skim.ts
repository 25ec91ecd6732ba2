import type { PassthroughSkimmer } from '../codec';
import { looksLikeObject, stringValuesLength, typeIs } from '../shared/skim';

const deltaText = stringValuesLength(['delta']);

/**
 * Responses passthrough: `*.delta` events (text, reasoning, function-call arguments) are skimmed.
 * Usage and the stop reason come with the terminal event, tool calls with `output_item.added`,
 * refusals also with their `.done` events, and errors are `error` / `response.failed`: all decoded.
 * A refusal delta is decoded all the same (it marks the stop reason as content_filter).
 */
export const responsesPassthroughSkimmer = (): PassthroughSkimmer => ({
  skim(event) {
    const name = event.event;
    const { data } = event;
    if (name === undefined || !name.endsWith('.delta') || name === 'response.refusal.delta') return undefined;
    if (!typeIs(data, name) || !looksLikeObject(data)) return undefined;
    return deltaText(data);
  },
});
