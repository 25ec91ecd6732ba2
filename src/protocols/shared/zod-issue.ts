import type * as z from 'zod/mini';
import '../../zod-locale';
import { RelayError } from '../../errors';

/** `messages[0].content` from a zod path, the way OpenAI names parameters. */
export const formatIssuePath = (path: readonly PropertyKey[]): string => {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
};

/** zod says "expected string, received undefined" for a missing field; clients expect "Required". */
const issueMessage = (issue: z.core.$ZodIssue): string =>
  issue.code === 'invalid_type' && issue.message.endsWith('received undefined') ? 'Required' : issue.message;

/** The first zod issue as a 400 naming the field, e.g. "messages: Required" (param = the path). */
export const invalidRequestFromZod = (error: z.core.$ZodError): RelayError => {
  const issue = error.issues[0];
  if (issue === undefined) return new RelayError('invalid_request', 400, 'invalid request body');
  const path = formatIssuePath(issue.path);
  const message = path === '' ? issueMessage(issue) : `${path}: ${issueMessage(issue)}`;
  return new RelayError('invalid_request', 400, message, path === '' ? {} : { param: path });
};
