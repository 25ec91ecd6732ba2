import type { AuthenticatedKey } from '../auth/key-record';
import type { Env } from '../env';
import { admitRequest } from '../quota/quota-client';

/** Per-key ceiling on token counts for keys whose plan sets no per-minute limit. */
const COUNT_TOKENS_PER_MINUTE = 120;

/**
 * Token counting is not a generation, so it never spends the 5-hour or weekly request quota; but each
 * count may cost an upstream call, so it passes the key's per-minute limit (shared with its generation
 * requests), or COUNT_TOKENS_PER_MINUTE when the plan sets none. Throws the usual 429 past it.
 */
export const admitTokenCount = async (env: Env, key: AuthenticatedKey, now: number): Promise<void> => {
  const requestsPerMinute = key.limits.requestsPerMinute ?? COUNT_TOKENS_PER_MINUTE;
  await admitRequest(env, { ...key, limits: { requestsPer5h: null, requestsPerWeek: null, requestsPerMinute, maxConcurrent: null, tokensPerMinute: null, tokensPerDay: null } }, now);
};
