import type { RelayError } from '../../errors';
import { isRecord, type JsonRecord } from '../shared/json-guards';
import { toolLoopLostThinking } from './passthrough-thinking';

/**
 * Thinking blocks are signed by the provider that produced them (`signature` on `thinking`, the
 * encrypted `data` of `redacted_thinking`), and another Anthropic provider (another platform, a
 * compatible vendor, another deployment) answers 400 "Invalid `signature` in `thinking` block" to
 * them. When a session moves between Anthropic providers, its signed thinking blocks are dropped,
 * with the same tool-loop rule as foreign envelopes (passthrough-thinking.ts).
 */
const isSignedThinking = (block: unknown): boolean =>
  isRecord(block) && (block.type === 'redacted_thinking' || (block.type === 'thinking' && typeof block.signature === 'string' && block.signature !== ''));

const hasSignedThinking = (message: unknown): boolean =>
  isRecord(message) && message.role === 'assistant' && Array.isArray(message.content) && message.content.some(isSignedThinking);

/** The body without signed thinking blocks, or undefined when it carries none. */
export const withoutSignedThinking = (body: JsonRecord): JsonRecord | undefined => {
  const messages = body.messages;
  if (!Array.isArray(messages) || !messages.some(hasSignedThinking)) return undefined;
  const kept = (messages as unknown[]).flatMap((message) => {
    if (!hasSignedThinking(message) || !isRecord(message)) return [message];
    const content = (message.content as unknown[]).filter((block) => !isSignedThinking(block));
    return content.length > 0 ? [{ ...message, content }] : [];
  });
  const rewritten: JsonRecord = { ...body, messages: kept };
  const thinking = body.thinking;
  if (isRecord(thinking) && thinking.type !== 'disabled' && toolLoopLostThinking(kept)) delete rewritten.thinking;
  return rewritten;
};

/** The API's wording, e.g. `messages.1.content.0: Invalid \`signature\` in \`thinking\` block` (a 400 invalid_request_error). */
const REFUSED_SIGNATURE = /invalid\W+(?:signature|data)\W+in\W+(?:redacted_)?thinking\W+block/i;

/** Whether an upstream error refused the request's thinking signatures. */
export const refusedThinkingSignature = (error: RelayError): boolean => error.upstreamStatus === 400 && REFUSED_SIGNATURE.test(error.message);
