import { isRecord } from '../shared/json-guards';
import { unwrapSignature } from '../signature';

/**
 * Same-format passthrough: reasoning items another upstream minted. When a conversation moved
 * between models, a Responses client holds reasoning items whose `encrypted_content` is a relay
 * envelope (`prx1:…`) around Claude's or Gemini's state; OpenAI cannot decrypt them and refuses the
 * request. The translation rule applies: an envelope around Responses state is opened back to its
 * item (id and content), every other one is dropped with its item. Returns undefined when no item
 * needs either, so the body is copied only then (one pass over `input`, no decode).
 */
export const ownResponsesReasoning = (input: unknown): unknown[] | undefined => {
  if (!Array.isArray(input)) return undefined;
  const foreign = (item: unknown): boolean =>
    isRecord(item) && item.type === 'reasoning' && typeof item.encrypted_content === 'string' && item.encrypted_content.startsWith('prx1:');
  if (!input.some(foreign)) return undefined;
  return (input as unknown[]).flatMap((item) => {
    if (!foreign(item) || !isRecord(item)) return [item];
    const signature = unwrapSignature(item.encrypted_content as string, 'openai-responses');
    if (signature?.origin !== 'openai-responses') return [];
    return [{ ...item, encrypted_content: signature.value, ...(signature.itemId === undefined ? {} : { id: signature.itemId }) }];
  });
};
