/**
 * Pre-built JSON for the stream encoders' hot events. A content delta differs from the one before
 * only in its text (and a counter or index), so instead of `JSON.stringify` of a fresh nested object
 * per event, the encoder serializes the event's shape ONCE with placeholder slots and afterwards
 * joins the fixed parts around the new values: `head + value + tail`, `head + v1 + middle + v2 + tail`. The
 * values spliced in must be JSON text themselves (`JSON.stringify(text)`, or an integer), which
 * makes the result byte-identical to stringifying the whole object: without indentation, a value's
 * JSON does not depend on where it sits.
 */
let nonce = 0;

const occurrences = (text: string, part: string): number => {
  let count = 0;
  for (let at = text.indexOf(part); at !== -1; at = text.indexOf(part, at + part.length)) count++;
  return count;
};

/**
 * The JSON of `shape(slots)` cut at each of its `count` slots, in slot order. A slot is a string no
 * real value holds; should a value (a client-chosen model name, say) contain one anyway, new slots
 * are drawn until each occurs exactly once.
 */
const jsonParts = (count: number, shape: (slots: readonly string[]) => unknown): string[] => {
  for (;;) {
    const round = (nonce += 1);
    const slots = Array.from({ length: count }, (_, i) => `\u0000slot:${round}:${i}\u0000`);
    const text = JSON.stringify(shape(slots));
    const quoted = slots.map((slot) => JSON.stringify(slot));
    if (!quoted.every((slot) => occurrences(text, slot) === 1)) continue;
    const positions = quoted.map((slot) => ({ slot, at: text.indexOf(slot) }));
    if (positions.some((position, i) => i > 0 && position.at < (positions[i - 1]?.at ?? 0))) {
      throw new Error('jsonParts: slots must appear in the JSON in slot order');
    }
    const parts: string[] = [];
    let from = 0;
    for (const { slot, at } of positions) {
      parts.push(text.slice(from, at));
      from = at + slot.length;
    }
    parts.push(text.slice(from));
    return parts;
  }
};

/** The JSON of `shape(slot)` around its one slot. */
export interface JsonFrame {
  head: string;
  tail: string;
}

/** The JSON of `shape(first, second)` around its two slots (`first` must come first in it). */
export interface JsonFrame2 {
  head: string;
  middle: string;
  tail: string;
}

export const jsonFrame = (shape: (slot: string) => unknown): JsonFrame => {
  const [head = '', tail = ''] = jsonParts(1, ([slot = '']) => shape(slot));
  return { head, tail };
};

export const jsonFrame2 = (shape: (first: string, second: string) => unknown): JsonFrame2 => {
  const [head = '', middle = '', tail = ''] = jsonParts(2, ([first = '', second = '']) => shape(first, second));
  return { head, middle, tail };
};
