/**
 * Gemini requests are proto3 JSON: the API accepts `inline_data` as well as `inlineData`, and
 * clients (the Python SDK, curl examples) send both. Request bodies are renamed to camelCase once,
 * here, so the rest of the codec reads one spelling. User data is never renamed: function `args`,
 * `response` objects and JSON Schema documents keep their keys, and the OpenAPI-style `Schema`
 * messages (`parameters`, `responseSchema`) rename their own fields but not property names.
 */
type JsonRecord = Record<string, unknown>;

const isRecord = (value: unknown): value is JsonRecord =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const toCamel = (key: string): string => key.replace(/_([a-z0-9])/g, (_match, char: string) => char.toUpperCase());

/** Values under these keys are user data (function arguments, results, JSON Schema documents). */
const OPAQUE_KEYS = new Set(['args', 'response', 'parametersJsonSchema', 'responseJsonSchema', 'partMetadata', 'labels']);
/** Values under these keys are Gemini `Schema` messages. */
const SCHEMA_KEYS = new Set(['parameters', 'responseSchema']);
/** Inside a Schema, these hold literal values, not fields. */
const SCHEMA_LITERAL_KEYS = new Set(['enum', 'default', 'example', 'required', 'propertyOrdering']);

const normalizeSchema = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(normalizeSchema);
  if (!isRecord(value)) return value;
  const out: JsonRecord = {};
  for (const [key, inner] of Object.entries(value)) {
    const name = toCamel(key);
    if (name === 'properties' && isRecord(inner)) {
      out[name] = Object.fromEntries(Object.entries(inner).map(([property, schema]) => [property, normalizeSchema(schema)]));
    } else if (SCHEMA_LITERAL_KEYS.has(name)) {
      out[name] = inner;
    } else {
      out[name] = normalizeSchema(inner);
    }
  }
  return out;
};

export const normalizeGeminiKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(normalizeGeminiKeys);
  if (!isRecord(value)) return value;
  const out: JsonRecord = {};
  for (const [key, inner] of Object.entries(value)) {
    const name = toCamel(key);
    if (OPAQUE_KEYS.has(name)) out[name] = inner;
    else if (SCHEMA_KEYS.has(name)) out[name] = normalizeSchema(inner);
    else out[name] = normalizeGeminiKeys(inner);
  }
  return out;
};
