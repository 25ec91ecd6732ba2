/**
 * Gemini `Schema` (the OpenAPI 3.0 subset used by `parameters` and `responseSchema`) → JSON Schema,
 * for the IR, whose tools and response formats carry JSON Schema. Types are upper-case enums
 * (`STRING`), `nullable` replaces a `null` type, and int64 limits arrive as strings.
 * @see https://ai.google.dev/api/caching#Schema
 */
type JsonRecord = Record<string, unknown>;

const isRecord = (value: unknown): value is JsonRecord =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const COUNT_KEYS = new Set(['minItems', 'maxItems', 'minLength', 'maxLength', 'minProperties', 'maxProperties']);
/** Gemini-only hints with no JSON Schema keyword (`format: "enum"` is implied by `enum`). */
const DROPPED_KEYS = new Set(['propertyOrdering', 'nullable']);

const convert = (schema: JsonRecord): JsonRecord => {
  const out: JsonRecord = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED_KEYS.has(key)) continue;
    if (key === 'type') {
      if (typeof value === 'string' && value !== 'TYPE_UNSPECIFIED') out.type = value.toLowerCase();
    } else if (key === 'properties' && isRecord(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, inner]) => [name, isRecord(inner) ? convert(inner) : inner]),
      );
    } else if (key === 'items' && isRecord(value)) {
      out.items = convert(value);
    } else if (key === 'anyOf' && Array.isArray(value)) {
      out.anyOf = (value as unknown[]).map((inner) => (isRecord(inner) ? convert(inner) : inner));
    } else if (COUNT_KEYS.has(key) && typeof value === 'string') {
      out[key] = Number(value);
    } else if (key === 'format' && value === 'enum') {
      continue;
    } else if (key === 'example') {
      out.examples = [value];
    } else {
      out[key] = value;
    }
  }
  if (schema.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.anyOf)) out.anyOf = [...(out.anyOf as unknown[]), { type: 'null' }];
  }
  return out;
};

export const geminiSchemaToJsonSchema = (schema: JsonRecord): JsonRecord => convert(schema);
