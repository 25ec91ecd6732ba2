/** Longer keys are cut: the key is hashed for every candidate of every request, and a prefix this long is already unique. */
const MAX_SESSION_KEY_CHARS = 256;

/** A client-sent value usable as a session's affinity key: a non-empty string (cut to a bounded length). */
export const sessionKeyFrom = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value.slice(0, MAX_SESSION_KEY_CHARS) : undefined;

/** The first header of `names` the client sent, as a session key. */
export const sessionKeyFromHeaders = (headers: Headers, names: readonly string[]): string | undefined => {
  for (const name of names) {
    const key = sessionKeyFrom(headers.get(name));
    if (key !== undefined) return key;
  }
  return undefined;
};
