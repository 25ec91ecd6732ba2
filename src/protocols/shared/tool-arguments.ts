/**
 * Tool arguments travel as JSON text in the IR. Formats that want an object (Anthropic `input`,
 * Gemini `args`) parse it here: "" means {} (no-argument calls stream empty arguments), and text
 * that is not a JSON object is kept under `_raw` rather than lost.
 */
export const parseToolArguments = (json: string): Record<string, unknown> => {
  if (json.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(json);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    return { _raw: json };
  } catch {
    return { _raw: json };
  }
};

/** Object → JSON text; undefined/null become "{}". */
export const stringifyToolArguments = (value: unknown): string =>
  value === undefined || value === null ? '{}' : JSON.stringify(value);
