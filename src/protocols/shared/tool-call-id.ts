import { sanitizeId } from './ids';

/** 8 hex digits of FNV-1a (32-bit) over the UTF-16 code units. Deterministic, not cryptographic. */
const shortHash = (text: string): string => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
};

export interface ToolCallIdRules {
  maxLength?: number;
  /** Characters the target accepts; anything else makes the id unfit. */
  pattern?: RegExp;
}

/**
 * A tool-call id the target accepts (Anthropic wants ^[a-zA-Z0-9_-]+$, Responses `call_id` at most
 * 64 characters; foreign ids such as `functions.Bash:0` are refused): unchanged when it already fits, else
 * sanitized to [A-Za-z0-9_-] and suffixed with a hash of the original. The same function applied to a
 * call id and to its result's id gives the same answer, so pairs stay paired.
 */
export const fitToolCallId = (id: string, rules: ToolCallIdRules): string => {
  const fitsLength = rules.maxLength === undefined || id.length <= rules.maxLength;
  const fitsPattern = rules.pattern === undefined || rules.pattern.test(id);
  if (fitsLength && fitsPattern && id !== '') return id;
  const suffix = `_${shortHash(id)}`;
  const room = rules.maxLength === undefined ? Infinity : rules.maxLength - suffix.length;
  return `${sanitizeId(id).slice(0, Math.max(0, room))}${suffix}`;
};
