/**
 * JSON Schema → the Gemini `Schema` subset (OpenAPI 3.0) that `parameters` and `responseSchema`
 * accept. Gemini rejects the whole request on an unknown keyword (`exclusiveMinimum`, `$schema`,
 * `const`, `propertyNames`, … fail every tool turn), so this keeps only the keywords the Schema
 * message has and rewrites the rest:
 * `$ref` is inlined, `type: [T, "null"]` becomes `nullable`, `const` becomes `enum`, `allOf` is
 * flattened, `oneOf` becomes `anyOf`, exclusive bounds become inclusive ones.
 * @see https://ai.google.dev/api/caching#Schema
 */
type JsonRecord = Record<string, unknown>;

const isRecord = (value: unknown): value is JsonRecord =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Keywords copied as they are (after the rewrites below). */
const KEPT = ['title', 'description', 'pattern', 'minimum', 'maximum', 'minItems', 'maxItems', 'minLength', 'maxLength', 'minProperties', 'maxProperties'] as const;

/** Gemini accepts only these `format` values, per type. */
const FORMATS: Record<string, readonly string[]> = {
  STRING: ['enum', 'date-time'],
  NUMBER: ['float', 'double'],
  INTEGER: ['int32', 'int64'],
};

/** Recursive schemas cannot be expressed; a reference cycle is cut to a bare object. */
const MAX_REF_DEPTH = 8;

interface CleanContext {
  root: JsonRecord;
  depth: number;
}

const resolveRef = (ref: string, root: JsonRecord): JsonRecord | undefined => {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const segment of ref.slice(2).split('/')) {
    if (!isRecord(node)) return undefined;
    node = node[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return isRecord(node) ? node : undefined;
};

/** allOf members merged into one schema: properties and required lists united. */
const mergeAllOf = (schema: JsonRecord, members: unknown[]): JsonRecord => {
  const merged: JsonRecord = { ...schema };
  delete merged.allOf;
  const properties: JsonRecord = isRecord(schema.properties) ? { ...schema.properties } : {};
  const required = new Set<string>(Array.isArray(schema.required) ? schema.required.filter((name) => typeof name === 'string') : []);
  for (const member of members) {
    if (!isRecord(member)) continue;
    for (const [key, value] of Object.entries(member)) {
      if (key === 'properties' && isRecord(value)) {
        Object.assign(properties, value);
      } else if (key === 'required' && Array.isArray(value)) {
        for (const name of value) if (typeof name === 'string') required.add(name);
      } else if (!(key in merged)) {
        merged[key] = value;
      }
    }
  }
  if (Object.keys(properties).length > 0) merged.properties = properties;
  if (required.size > 0) merged.required = [...required];
  return merged;
};

const isNullSchema = (value: unknown): boolean => isRecord(value) && value.type === 'null';

const clean = (input: JsonRecord, context: CleanContext): JsonRecord => {
  let schema = input;
  if (typeof schema.$ref === 'string') {
    const target = context.depth < MAX_REF_DEPTH ? resolveRef(schema.$ref, context.root) : undefined;
    if (target === undefined) return { type: 'OBJECT' };
    const { $ref: _ref, ...rest } = schema;
    return clean({ ...target, ...rest }, { root: context.root, depth: context.depth + 1 });
  }
  if (Array.isArray(schema.allOf)) schema = mergeAllOf(schema, schema.allOf);

  const out: JsonRecord = {};
  let nullable = schema.nullable === true;

  const types = Array.isArray(schema.type) ? schema.type.filter((type) => typeof type === 'string') : typeof schema.type === 'string' ? [schema.type] : [];
  if (types.includes('null')) nullable = true;
  const concrete = types.filter((type) => type !== 'null');

  const alternatives = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
  if (alternatives !== undefined) {
    const nonNull = alternatives.filter((member) => !isNullSchema(member));
    if (nonNull.length < alternatives.length) nullable = true;
    if (nonNull.length === 1 && isRecord(nonNull[0])) Object.assign(out, clean(nonNull[0], context));
    else out.anyOf = nonNull.filter(isRecord).map((member) => clean(member, context));
  } else if (concrete.length > 1) {
    out.anyOf = concrete.map((type) => clean({ ...schema, type, anyOf: undefined, oneOf: undefined }, context));
  }
  const type = concrete.length === 1 ? concrete[0]?.toUpperCase() : undefined;
  if (type !== undefined && out.anyOf === undefined) out.type = type;

  for (const key of KEPT) if (schema[key] !== undefined) out[key] = schema[key];
  if (typeof schema.exclusiveMinimum === 'number') out.minimum = schema.exclusiveMinimum;
  if (typeof schema.exclusiveMaximum === 'number') out.maximum = schema.exclusiveMaximum;

  const literals = schema.const !== undefined ? [schema.const] : Array.isArray(schema.enum) ? schema.enum : undefined;
  if (literals !== undefined && (out.type === undefined || out.type === 'STRING')) {
    out.type = 'STRING';
    out.enum = literals.filter((value) => value !== null).map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
  }
  const format = typeof schema.format === 'string' ? schema.format : undefined;
  if (format !== undefined && typeof out.type === 'string' && FORMATS[out.type]?.includes(format)) out.format = format;

  if (isRecord(schema.properties)) {
    const properties: JsonRecord = {};
    for (const [name, value] of Object.entries(schema.properties)) if (isRecord(value)) properties[name] = clean(value, context);
    out.properties = properties;
    if (Array.isArray(schema.required)) out.required = schema.required.filter((name) => typeof name === 'string' && name in properties);
  }
  const items: unknown = Array.isArray(schema.items) ? (schema.items as unknown[])[0] : Array.isArray(schema.prefixItems) ? (schema.prefixItems as unknown[])[0] : schema.items;
  if (isRecord(items)) out.items = clean(items, context);
  if (nullable) out.nullable = true;
  return out;
};

export const cleanGeminiSchema = (schema: JsonRecord): JsonRecord => clean(schema, { root: schema, depth: 0 });
