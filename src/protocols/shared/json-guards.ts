/**
 * Type guards for values that came out of JSON.parse, for the stream decoders: a schema parse on
 * every SSE event costs more than the decoding itself, so the per-event checks are written by hand.
 * Each guard accepts exactly what the matching zod 4 schema piece accepts, unknown fields included:
 * `isRecord` is `z.looseObject`'s own test, the `…OrNullish` guards are `z.….nullish()`.
 */
export type JsonRecord = Record<string, unknown>;

export const isRecord = (value: unknown): value is JsonRecord =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const isNullish = (value: unknown): value is null | undefined => value === null || value === undefined;

const isStringOrNullish = (value: unknown): value is string | null | undefined =>
  value === null || value === undefined || typeof value === 'string';

/** zod 4 numbers are finite: `1e999` parses to Infinity and is refused. */
export const isNumberOrNullish = (value: unknown): value is number | null | undefined =>
  value === null || value === undefined || Number.isFinite(value);

export const isBooleanOrNullish = (value: unknown): value is boolean | null | undefined =>
  value === null || value === undefined || typeof value === 'boolean';

/** `z.union([z.string(), z.number()]).nullish()`, the shape of OpenAI error codes. */
export const isCodeOrNullish = (value: unknown): value is string | number | null | undefined =>
  typeof value === 'string' || isNumberOrNullish(value);

/** `z.number().int().nonnegative()`: zod's int is a safe integer. */
export const isIndex = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** Every named field is absent, null or a string. */
export const hasNullishStrings = (record: JsonRecord, keys: readonly string[]): boolean => {
  for (const key of keys) if (!isStringOrNullish(record[key])) return false;
  return true;
};

/** Every named field is absent, null or a finite number. */
export const hasNullishNumbers = (record: JsonRecord, keys: readonly string[]): boolean => {
  for (const key of keys) if (!isNumberOrNullish(record[key])) return false;
  return true;
};

/** Absent, null, or an array whose every item passes `item`. */
export const isArrayOrNullish = (value: unknown, item: (entry: unknown) => boolean): boolean => {
  if (value === null || value === undefined) return true;
  if (!Array.isArray(value)) return false;
  for (const entry of value) if (!item(entry)) return false;
  return true;
};
