import { isRecord } from '../shared/json-guards';
import type { JsonRecord } from '../shared/json-guards';
import { unwrapSignature } from '../signature';

/**
 * Same-format passthrough: thinking blocks another upstream minted. A Claude Code conversation that
 * switched models holds thinking blocks whose signature is a relay envelope (`prx1:gem:…` around a
 * Gemini thoughtSignature, `prx1:oai:…`, `prx1:none` for reasoning that had no signature); Anthropic
 * answers "Invalid signature" to every one of them. The translation rule applies: an envelope
 * around an Anthropic signature is opened (`prx1:ant:`), every other such block is dropped.
 */
const isEnvelopedThinking = (block: unknown): boolean =>
  isRecord(block) && block.type === 'thinking' && typeof block.signature === 'string' && block.signature.startsWith('prx1:');

const hasEnvelopedThinking = (message: unknown): boolean =>
  isRecord(message) && message.role === 'assistant' && Array.isArray(message.content) && message.content.some(isEnvelopedThinking);

const ownBlocks = (content: unknown[]): unknown[] =>
  content.flatMap((block) => {
    if (!isEnvelopedThinking(block) || !isRecord(block)) return [block];
    const signature = unwrapSignature(block.signature as string, 'anthropic');
    return signature?.origin === 'anthropic' ? [{ ...block, signature: signature.value }] : [];
  });

const opensWithThinking = (message: JsonRecord): boolean => {
  const first: unknown = Array.isArray(message.content) ? message.content[0] : undefined;
  return isRecord(first) && (first.type === 'thinking' || first.type === 'redacted_thinking');
};

const hasBlock = (message: JsonRecord | undefined, type: string): boolean =>
  message !== undefined && Array.isArray(message.content) && message.content.some((block) => isRecord(block) && block.type === type);

/**
 * With thinking on, the last assistant turn of a tool loop must open with a thinking block; once
 * foreign blocks are gone it may not, and the API's own advice is to send that request with
 * thinking off (as the translating encoder does).
 */
export const toolLoopLostThinking = (messages: unknown[]): boolean => {
  const last = messages.at(-1);
  const assistant = messages.at(-2);
  if (!isRecord(last) || !isRecord(assistant) || last.role !== 'user' || assistant.role !== 'assistant') return false;
  return hasBlock(last, 'tool_result') && hasBlock(assistant, 'tool_use') && !opensWithThinking(assistant);
};

/**
 * The body's `messages` and `thinking` with foreign thinking blocks gone, or undefined when there
 * are none (one pass over the messages; the body is copied only when something changes).
 */
export const withoutForeignThinking = (body: JsonRecord): JsonRecord | undefined => {
  const messages = body.messages;
  if (!Array.isArray(messages) || !messages.some(hasEnvelopedThinking)) return undefined;
  const kept = (messages as unknown[]).flatMap((message) => {
    if (!hasEnvelopedThinking(message) || !isRecord(message)) return [message];
    const content = ownBlocks(message.content as unknown[]);
    // An assistant turn of nothing but foreign thinking disappears; the API joins the user turns around it.
    return content.length > 0 ? [{ ...message, content }] : [];
  });
  const rewritten: JsonRecord = { ...body, messages: kept };
  const thinking = body.thinking;
  if (isRecord(thinking) && thinking.type !== 'disabled' && toolLoopLostThinking(kept)) delete rewritten.thinking;
  return rewritten;
};
