/**
 * Whether JSON text nests objects/arrays deeper than `max`. Checked on the text, in one pass without
 * recursion, before anything walks the parsed value: the codecs' recursive readers (Gemini key
 * normalisation, schema cleaning) would otherwise overflow the stack on a hostile body and answer 500.
 */
export const exceedsJsonDepth = (text: string, max: number): boolean => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i += 1; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (char === 0x7d || char === 0x5d) {
      depth -= 1;
    }
  }
  return false;
};
