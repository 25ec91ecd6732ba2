import type * as z from 'zod/mini';
import { $ZodError } from 'zod/v4/core';
import type { RelayError } from '../../errors';
import { invalidRequestFromZod } from '../shared/zod-issue';

/**
 * zod reports a failed union (`input: string | items[]`, `content: string | parts[]`) as one
 * "Invalid input" at the union itself. The useful message is the branch that got furthest in, e.g.
 * `input[3].call_id: Required`, so that branch's issue is lifted out with its full path.
 */
const deepestIssue = (issue: z.core.$ZodIssue): z.core.$ZodIssue => {
  if (issue.code !== 'invalid_union') return issue;
  let best: z.core.$ZodIssue | undefined;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first === undefined) continue;
    const candidate = deepestIssue(first);
    if (best === undefined || candidate.path.length > best.path.length) best = candidate;
  }
  if (best === undefined || best.path.length === 0) return issue;
  return { ...best, path: [...issue.path, ...best.path] };
};

export const invalidResponsesRequest = (error: z.core.$ZodError): RelayError => {
  const first = error.issues[0];
  return invalidRequestFromZod(first === undefined ? error : new $ZodError([deepestIssue(first)]));
};
