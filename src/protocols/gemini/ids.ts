import { sanitizeId } from '../shared/ids';

/**
 * Tool-call ids across Gemini. Gemini 3 returns `functionCall.id` and wants it echoed in the
 * matching `functionResponse.id`; Gemini 2.5 returns none, and some Gemini backends reject any `id`
 * field. So the upstream encoder sends an id only when Gemini minted it.
 * A bare id cannot say who minted it once it has round-tripped through another client format, so
 * ids that came from a Gemini upstream enter the IR with the `gem_` marker and every other id
 * (relay-minted, or from an OpenAI/Anthropic client) is never sent to Gemini.
 */
const NATIVE_MARKER = 'gem_';

/** The IR id for an id that a Gemini upstream put on a functionCall. */
export const irIdFromGeminiCallId = (id: string): string => `${NATIVE_MARKER}${id}`;

/** The Gemini-minted id inside an IR id, or undefined when Gemini did not mint it. */
export const geminiCallIdFromIr = (id: string): string | undefined =>
  id.startsWith(NATIVE_MARKER) && id.length > NATIVE_MARKER.length ? id.slice(NATIVE_MARKER.length) : undefined;

/** Upstream answers without ids: deterministic per response, so a replayed stream mints the same ids. */
export const mintGeminiResponseCallId = (responseId: string, ordinal: number): string =>
  `call_${sanitizeId(responseId)}_${ordinal}`;

/** Client history without ids: stable per position, so every request of a conversation agrees. */
export const mintGeminiHistoryCallId = (turn: number, part: number): string => `call_${turn}_${part}`;
