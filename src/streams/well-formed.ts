/**
 * Whether an SSE event's data can be what every upstream format sends: a JSON object, or `[DONE]`.
 * A cheap look at the first and last characters, run on every passthrough event; a cut-off JSON
 * payload (the common malformed event) fails it, and only then does `isWellFormed` parse.
 */
export const looksWhole = (data: string): boolean => {
  const first = data.charCodeAt(0);
  let end = data.length - 1;
  while (end > 0 && data.charCodeAt(end) <= 32) end--;
  const last = data.charCodeAt(end);
  return (first === 123 /* { */ && last === 125) /* } */ || (first === 91 /* [ */ && last === 93) /* ] */;
};

/** A full parse, for the one event a decoder failed on: was it the upstream's own (well-formed) words? */
export const isWellFormed = (data: string): boolean => {
  if (!looksWhole(data)) return false;
  try {
    JSON.parse(data);
    return true;
  } catch {
    return false;
  }
};
