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

/** Parses an admin body with a zod schema; the first issue becomes a 400 naming the field. */
export const parseAdminBody = async <T extends z.ZodMiniType>(request: Request, schema: T): Promise<z.infer<T>> => {
  let value: unknown;
  try {
    value = await request.json();
  } catch {
    throw invalidRequest('request body is not valid JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const issue = first === undefined ? undefined : mostSpecific(first);
    const path = issue?.path.join('.') ?? '';
    throw invalidRequest(`${path === '' ? 'body' : path}: ${issue?.message ?? 'invalid'}`, path || undefined);
  }
  return parsed.data;
};
