/**
 * Where SSE events end inside raw upstream chunks, for passthrough, which forwards bytes as they came.
 * An event ends at a blank line: `\n\n` or `\n\r\n` (a bare `\r` line ending is not looked for here;
 * no upstream sends one). `previous` is the chunk before, since a blank line may straddle two chunks.
 */
const byteAt = (bytes: Uint8Array, previous: Uint8Array | undefined, index: number): number | undefined =>
  index >= 0 ? bytes[index] : previous?.[previous.length + index];

const endsBlankLine = (bytes: Uint8Array, previous: Uint8Array | undefined, index: number): boolean => {
  if (bytes[index] !== 10) return false;
  const before = byteAt(bytes, previous, index - 1);
  return before === 10 || (before === 13 && byteAt(bytes, previous, index - 2) === 10);
};

/** Whether a chunk ends with a blank line (an upstream may split an event across chunks; then it does not). */
export const endsEvent = (bytes: Uint8Array): boolean => {
  const n = bytes.length;
  const last = bytes[n - 1];
  const before = bytes[n - 2];
  return (last === 10 && (before === 10 || (before === 13 && bytes[n - 3] === 10))) || (last === 13 && before === 13);
};

/** The end (exclusive) of the first event that finishes in `bytes`, or its length when none does. */
export const firstEventEnd = (bytes: Uint8Array, previous: Uint8Array | undefined): number => {
  for (let i = 0; i < bytes.length; i++) if (endsBlankLine(bytes, previous, i)) return i + 1;
  return bytes.length;
};

/** The end (exclusive) of the last event that finishes in `bytes`, or 0 when none does. */
export const lastEventEnd = (bytes: Uint8Array, previous: Uint8Array | undefined): number => {
  for (let i = bytes.length - 1; i >= 0; i--) if (endsBlankLine(bytes, previous, i)) return i + 1;
  return 0;
};
