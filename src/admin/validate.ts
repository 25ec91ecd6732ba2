import type * as z from 'zod/mini';
import '../zod-locale';
import { invalidRequest } from '../errors';

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
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    throw invalidRequest(`${path === '' ? 'body' : path}: ${issue?.message ?? 'invalid'}`, path || undefined);
  }
  return parsed.data;
};
