/** Random id suffixes and deterministic id derivation shared by codecs. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// One getRandomValues call per 4 KiB of ids instead of one per id (a native call costs ~10 µs in
// workerd, and a request mints several ids). Filled lazily: Workers forbid it at module scope.
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let used = POOL_SIZE;

const randomByte = (): number => {
  if (used === POOL_SIZE) {
    crypto.getRandomValues(pool);
    used = 0;
  }
  return pool[used++]!;
};

/** `length` characters of [A-Za-z0-9], uniform (bytes ≥ 248 are skipped so `% 62` has no bias). */
export const randomId = (length = 24): string => {
  let out = '';
  while (out.length < length) {
    const byte = randomByte();
    if (byte < 248) out += ALPHABET[byte % ALPHABET.length];
  }
  return out;
};

/** Keeps [A-Za-z0-9_-] and replaces the rest, so a foreign id fits Anthropic's pattern. */
export const sanitizeId = (id: string): string => id.replace(/[^A-Za-z0-9_-]/g, '_');

/** `prefix + id` unless the id already carries the prefix. */
export const withPrefix = (prefix: string, id: string): string => (id.startsWith(prefix) ? id : `${prefix}${sanitizeId(id)}`);
