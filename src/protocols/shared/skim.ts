/**
 * Looks at an SSE event's JSON text without parsing it, for the passthrough skimmers: a same-format
 * stream is sent to the client as the upstream wrote it, so the relay only needs the few events that
 * carry usage, a stop reason or an error. These tests may say "decode it" for an event that did not
 * need it (a text that happens to contain a field name: one parse too many); they never skip an event
 * whose field is really set, since inside a JSON string every `"` is escaped, so `"usage"` followed by
 * a colon and a value can only be a key.
 */

/** The text is one JSON object as far as its first and last characters tell (the relay's well-formedness look). */
export const looksLikeObject = (data: string): boolean => {
  let end = data.length - 1;
  while (end > 0 && data.charCodeAt(end) <= 32) end--;
  return data.charCodeAt(0) === 123 /* { */ && data.charCodeAt(end) === 125; /* } */
};

const skipSpaces = (data: string, at: number): number => {
  let i = at;
  while (i < data.length && data.charCodeAt(i) <= 32) i++;
  return i;
};

/** Where the value of the first `"key":` starts, or -1. `key` is given with its quotes: '"usage"'. */
const valueAt = (data: string, key: string): number => {
  for (let at = data.indexOf(key); at !== -1; at = data.indexOf(key, at + 1)) {
    const colon = skipSpaces(data, at + key.length);
    if (data.charCodeAt(colon) === 58 /* : */) return skipSpaces(data, colon + 1);
  }
  return -1;
};

/** Some `"key":` in the text has a value other than null. */
export const hasSetField = (data: string, key: string): boolean => {
  for (let at = data.indexOf(key); at !== -1; at = data.indexOf(key, at + 1)) {
    const colon = skipSpaces(data, at + key.length);
    if (data.charCodeAt(colon) !== 58 /* : */) continue;
    if (data.charCodeAt(skipSpaces(data, colon + 1)) !== 110 /* n(ull) */) return true;
  }
  return false;
};

/** The JSON-escaped length of the first `"key":"…"` string value (0 when absent or not a string): a character count for estimates. */
export const stringValueLength = (data: string, key: string): number => {
  const start = valueAt(data, key);
  if (start < 0 || data.charCodeAt(start) !== 34 /* " */) return 0;
  for (let end = data.indexOf('"', start + 1); end !== -1; end = data.indexOf('"', end + 1)) {
    let backslashes = 0;
    while (data.charCodeAt(end - 1 - backslashes) === 92 /* \ */) backslashes++;
    if (backslashes % 2 === 0) return end - start - 1;
  }
  return 0;
};

/** The object's text begins `{"type":"<type>"` (every major upstream writes `type` first; others are decoded). */
export const typeIs = (data: string, type: string): boolean =>
  data.startsWith('{"type":"') && data.startsWith(type, 9) && data.charCodeAt(9 + type.length) === 34;
