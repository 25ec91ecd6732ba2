import type * as z from 'zod/mini';
import '../zod-locale';
import { invalidRequest } from '../errors';

type Issue = z.core.$ZodIssue;

/**
 * A value that fits no branch of a union ("a name, or an object") gets only "Invalid input"; the
 * branch whose issue reaches deepest into the value says what is wrong (models.3.contextWindow: …).
 */
const mostSpecific = (issue: Issue): Issue => {
  if (issue.code !== 'invalid_union') return issue;
  const branches = issue.errors.flatMap((branch) => branch.slice(0, 1)).map(mostSpecific);
  const deepest = branches.reduce<Issue | undefined>((best, candidate) => (best === undefined || candidate.path.length > best.path.length ? candidate : best), undefined);
  return deepest === undefined || deepest.path.length === 0 ? issue : { ...deepest, path: [...issue.path, ...deepest.path] };
};

interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  innerType?: { _zod: { def: SchemaDef } };
  element?: { _zod: { def: SchemaDef } };
}

/** The object schema at `path` (through optional, nullable, default and arrays), to list its fields; undefined inside unions. */
const objectAt = (def: SchemaDef, path: readonly PropertyKey[]): SchemaDef | undefined => {
  if (def.innerType !== undefined) return objectAt(def.innerType._zod.def, path);
  if (path.length === 0) return def.type === 'object' ? def : undefined;
  const [head, ...rest] = path;
  if (def.type === 'array' && def.element !== undefined) return objectAt(def.element._zod.def, rest);
  const child = def.type === 'object' && typeof head === 'string' ? def.shape?.[head] : undefined;
  return child === undefined ? undefined : objectAt(child._zod.def, rest);
};

/** "Unrecognized key" says what is wrong, not what is right: name the fields the object accepts. */
const withAcceptedFields = (issue: Issue, schema: z.ZodMiniType): string | undefined => {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const object = objectAt((schema as unknown as { _zod: { def: SchemaDef } })._zod.def, issue.path);
  const accepted = Object.keys(object?.shape ?? {});
  const unknown = `unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  return accepted.length === 0 ? undefined : `${unknown}; accepted fields: ${accepted.join(', ')}`;
};

/**
 * Checks an admin input (a parsed JSON body, or the body a dashboard form makes) with a zod schema;
 * the first issue becomes a 400 naming the field. The admin routes and the dashboard pages both call
 * this before a service, so both refuse with the same message.
 */
export const parseAdminInput = <T extends z.ZodMiniType>(value: unknown, schema: T): z.infer<T> => {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const issue = first === undefined ? undefined : mostSpecific(first);
    const path = issue?.path.join('.') ?? '';
    const message = (issue === undefined ? undefined : withAcceptedFields(issue, schema)) ?? issue?.message ?? 'invalid';
    throw invalidRequest(`${path === '' ? 'body' : path}: ${message}`, path || undefined);
  }
  return parsed.data;
};

/** Reads an admin request's JSON body and checks it (parseAdminInput). */
export const parseAdminBody = async <T extends z.ZodMiniType>(request: Request, schema: T): Promise<z.infer<T>> => {
  let value: unknown;
  try {
    value = await request.json();
  } catch {
    throw invalidRequest('request body is not valid JSON');
  }
  return parseAdminInput(value, schema);
};
