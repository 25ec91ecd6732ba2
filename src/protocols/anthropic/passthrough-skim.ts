import type { PassthroughSkimmer } from '../codec';
import { looksLikeObject, stringValuesLength, typeIs } from '../shared/skim';

const deltaText = stringValuesLength(['text', 'thinking', 'partial_json']);

/**
 * Anthropic passthrough: `content_block_delta` and `ping` events are skimmed. Usage and the stop
 * reason come in `message_start` / `message_delta`, tool use is announced by `content_block_start`,
 * and errors are `error` events: all of them are still decoded.
 */
export const anthropicPassthroughSkimmer = (): PassthroughSkimmer => ({
  skim(event) {
    const { data } = event;
    if (typeIs(data, 'ping')) return looksLikeObject(data) ? 0 : undefined;
    if (!typeIs(data, 'content_block_delta') || !looksLikeObject(data)) return undefined;
    return deltaText(data);
  },
});
