/** Random id suffixes and deterministic id derivation shared by codecs. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const randomId = (length = 24): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
};

/** Keeps [A-Za-z0-9_-] and replaces the rest, so a foreign id fits Anthropic's pattern. */
export const sanitizeId = (id: string): string => id.replace(/[^A-Za-z0-9_-]/g, '_');

/** `prefix + id` unless the id already carries the prefix. */
export const withPrefix = (prefix: string, id: string): string => (id.startsWith(prefix) ? id : `${prefix}${sanitizeId(id)}`);
