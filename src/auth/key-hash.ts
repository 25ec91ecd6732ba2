const hex = (buffer: ArrayBuffer): string => {
  let out = '';
  for (const byte of new Uint8Array(buffer)) out += byte.toString(16).padStart(2, '0');
  return out;
};

/** SHA-256 hex of a plaintext API key: the only form in which keys are stored. */
export const hashApiKey = async (key: string): Promise<string> =>
  hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));

const MAX_REMEMBERED = 10_000;
const remembered = new Map<string, string>();

/**
 * hashApiKey remembered per isolate: the same client key arrives on every request, and SubtleCrypto's
 * digest is a promise round trip each time. Bounded; a flood of random keys only empties it.
 */
export const hashPresentedKey = async (key: string): Promise<string> => {
  const known = remembered.get(key);
  if (known !== undefined) return known;
  const hash = await hashApiKey(key);
  if (remembered.size >= MAX_REMEMBERED) remembered.clear();
  remembered.set(key, hash);
  return hash;
};

/** A new plaintext key: prefix + 40 base62 characters (~238 bits). */
export const generateApiKey = (prefix: string): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(40));
  let body = '';
  for (const byte of bytes) body += alphabet[byte % 62];
  return `${prefix}${body}`;
};

/** What lists show instead of the key: its prefix and first characters. */
export const displayPrefixOf = (key: string, prefix: string): string => `${key.slice(0, prefix.length + 6)}…`;

/** Constant-time comparison of two strings (for the admin token). */
export const timingSafeEqual = (a: string, b: string): boolean => {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  let diff = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
};
