import type { RelayError } from '../../errors';
import type { IrAssistantBlock } from '../../ir/content';
import type { IrMessage, IrRequest } from '../../ir/request';
import { isRecord, type JsonRecord } from '../shared/json-guards';
import { toolLoopLostThinking } from './passthrough-thinking';

/**
 * Thinking blocks are signed by the provider that produced them (`signature` on `thinking`, the
 * encrypted `data` of `redacted_thinking`), and another Anthropic provider (another platform, a
 * compatible vendor, another deployment) answers 400 "Invalid `signature` in `thinking` block" to
 * them. When a session moves between Anthropic providers, its signed thinking blocks are dropped,
 * with the same tool-loop rule as foreign envelopes (passthrough-thinking.ts). The same holds for a
 * client of another format whose history carries Anthropic signatures (in the relay's envelopes, see
 * src/protocols/signature.ts): there they are dropped from the IR, and the encoder's own tool-loop
 * rule (encode-messages.ts) turns thinking off for a turn that lost its opening thinking block.
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

const isAnthropicBound = (block: IrAssistantBlock): boolean =>
  block.type === 'redacted_thinking' || (block.type === 'thinking' && block.signature?.origin === 'anthropic');

const carriesAnthropicBound = (message: IrMessage): boolean => message.role === 'assistant' && message.content.some(isAnthropicBound);

/** The decoded request without thinking an Anthropic provider signed, or undefined when it carries none. */
export const requestWithoutSignedThinking = (request: IrRequest): IrRequest | undefined => {
  if (!request.messages.some(carriesAnthropicBound)) return undefined;
  const messages = request.messages.flatMap((message): IrMessage[] => {
    if (message.role !== 'assistant' || !carriesAnthropicBound(message)) return [message];
    const content = message.content.filter((block) => !isAnthropicBound(block));
    return content.length > 0 ? [{ ...message, content }] : [];
  });
  return { ...request, messages };
};

/** The API's wording, e.g. `messages.1.content.0: Invalid \`signature\` in \`thinking\` block` (a 400 invalid_request_error). */
const REFUSED_SIGNATURE = /invalid\W+(?:signature|data)\W+in\W+(?:redacted_)?thinking\W+block/i;

/** Whether an upstream error refused the request's thinking signatures. */
export const refusedThinkingSignature = (error: RelayError): boolean => error.upstreamStatus === 400 && REFUSED_SIGNATURE.test(error.message);
