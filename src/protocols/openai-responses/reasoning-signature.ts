import type { IrSignature } from '../../ir/content';
import { unwrapSignature } from '../signature';

/**
 * A reasoning item's `encrypted_content` as an IR signature. Plain content is Responses' own state
 * and keeps the item id it belongs to; an envelope (`prx1:…`) is state the relay wrapped for another
 * upstream on an earlier turn, and goes back to that one.
 */
export const decodeReasoningSignature = (
  value: string | null | undefined,
  itemId: string | null | undefined,
): IrSignature | undefined => {
  if (value === null || value === undefined || value === '') return undefined;
  if (value.startsWith('prx1:')) return unwrapSignature(value, 'openai-responses');
  return { origin: 'openai-responses', value, ...(itemId ? { itemId } : {}) };
};
