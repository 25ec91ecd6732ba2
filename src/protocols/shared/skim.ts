/**
 * Looks at an SSE event's JSON text without parsing it, for the passthrough skimmers: a same-format
 * stream is sent to the client as the upstream wrote it, so the relay only needs the few events that
 * carry usage, a stop reason or an error. These tests may say "decode it" for an event that did not
 * need it (a text that happens to contain a field name: one parse too many); they never skip an event
 * whose field is really set, since inside a JSON string every `"` is escaped, so `"usage"` followed by
 * a colon and a value can only be a key.
 *
 * Every test is one precompiled regular expression, so each costs one pass over the text whatever the
 * number of keys it looks for: a `String.prototype.indexOf` per key was one pass each (~1 ns per
 * character in V8), and a Chat chunk took ten of them (2.4 µs per event, now 0.5).
 */

/** The text is one JSON object as far as its first and last characters tell (the relay's well-formedness look). */
export const looksLikeObject = (data: string): boolean => {
  let end = data.length - 1;
  while (end > 0 && data.charCodeAt(end) <= 32) end--;
  return data.charCodeAt(0) === 123 /* { */ && data.charCodeAt(end) === 125; /* } */
};

/** What the skimmers count as space between a key, its colon and its value: every code up to 32, as JSON.parse would refuse the rest. */
const SPACE = '[\\x00-\\x20]*';

const alternatives = (keys: readonly string[]): string => keys.map((key) => key.replace(/[^\w]/g, '\\$&')).join('|');

export type TextTest = (data: string) => boolean;

/**
 * A test for: some `"key":` among `keys` has a value other than null, or one of `anywhere` occurs at all
 * (a quoted word such as `"error"`, looked for even inside strings). Keys are given without quotes.
 */
export const setFieldTest = (keys: readonly string[], anywhere: readonly string[] = []): TextTest => {
  const setKey = keys.length === 0 ? [] : [`"(?:${alternatives(keys)})"${SPACE}:${SPACE}[^n\\x00-\\x20]`];
  const quoted = anywhere.map((word) => `"${alternatives([word])}"`);
  const pattern = new RegExp([...quoted, ...setKey].join('|'));
  return (data) => pattern.test(data);
};

/** The JSON-escaped length of the string starting at `start` (0 when it is not a string): a character count for estimates. */
const stringLengthAt = (data: string, start: number): number => {
  if (data.charCodeAt(start) !== 34 /* " */) return 0;
  for (let end = data.indexOf('"', start + 1); end !== -1; end = data.indexOf('"', end + 1)) {
    let backslashes = 0;
    while (data.charCodeAt(end - 1 - backslashes) === 92 /* \ */) backslashes++;
    if (backslashes % 2 === 0) return end - start - 1;
  }
  return 0;
};

/**
 * The summed JSON-escaped lengths of the first `"key":"…"` string value of each of `keys` (0 for a key
 * that is absent or whose first value is not a string): the characters of text a delta carries.
 */
export const stringValuesLength = (keys: readonly string[]): ((data: string) => number) => {
  const pattern = new RegExp(`"(${alternatives(keys)})"${SPACE}:${SPACE}`, 'g');
  return (data) => {
    let chars = 0;
    let counted = 0;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(data); match !== null; match = pattern.exec(data)) {
      const key = 1 << keys.indexOf(match[1]!);
      if ((counted & key) !== 0) continue;
      counted |= key;
      chars += stringLengthAt(data, pattern.lastIndex);
    }
    return chars;
  };
};

/** The object's text begins `{"type":"<type>"` (every major upstream writes `type` first; others are decoded). */
export const typeIs = (data: string, type: string): boolean =>
  data.startsWith('{"type":"') && data.startsWith(type, 9) && data.charCodeAt(9 + type.length) === 34;
