import type { MiddlewareHandler } from 'hono';
import type { AuthenticatedKey, QuotaLimits } from '../../auth/key-record';
import type { AppEnv, Env } from '../../env';
import { RelayError } from '../../errors';
import { admitRequest, QuotaExceededError, releaseRequest } from '../../quota/quota-client';

/**
 * Task reads per key per minute (GET /v1/tasks/{id}, and each opening of its event stream). A client
 * polling every second reads 60 a minute per task; this leaves room for five tasks polled that way at
 * once (an image key's tasks in flight are bounded by its plan's concurrency).
 */
export const TASK_POLLS_PER_MINUTE = 300;
/**
 * Event streams a key may hold open at once. Each one reads KV and D1 every second on the relay's
 * side for as long as it lasts, so their number, not how often they were opened, is what they cost.
 */
export const MAX_TASK_EVENT_STREAMS = 8;

const NO_LIMITS: QuotaLimits = { requestsPer5h: null, requestsPerWeek: null, requestsPerMinute: null, maxConcurrent: null, tokensPerMinute: null, tokensPerDay: null };

/**
 * The key as its own QuotaLimiter under a derived id, so task reads are counted apart from the
 * key's generation requests (polling never spends the request quota, and a generation-heavy minute
 * never blocks a poll). Subscription billing keeps the prepaid concurrency default out of it.
 */
const meteredAs = (key: AuthenticatedKey, purpose: string, limits: Partial<QuotaLimits>): AuthenticatedKey => ({
  ...key,
  id: `${key.id}:${purpose}`,
  kind: 'inference',
  billing: 'subscription',
  limits: { ...NO_LIMITS, ...limits },
});

const refused = (error: unknown, message: string): unknown =>
  error instanceof QuotaExceededError
    ? new RelayError('rate_limit', 429, `${message}; retry in ${error.verdict.retryAfterSeconds}s`, { code: 'rate_limit_exceeded', retryAfterSeconds: error.verdict.retryAfterSeconds })
    : error;

const admitPoll = async (env: Env, key: AuthenticatedKey, now: number): Promise<void> => {
  try {
    await admitRequest(env, meteredAs(key, 'task-polls', { requestsPerMinute: TASK_POLLS_PER_MINUTE }), now);
  } catch (error) {
    throw refused(error, `task polling limit of ${TASK_POLLS_PER_MINUTE} reads per minute reached`);
  }
};

/** Meters every task read (GET) of the key; a 429 with retry-after past the allowance. Other methods pass. */
export const taskPollLimit = (): MiddlewareHandler<AppEnv> =>
  async function taskPollLimit(c, next) {
    if (c.req.method === 'GET') await admitPoll(c.env, c.var.apiKey, Date.now());
    await next();
  };

/**
 * Holds one of the key's event-stream slots; the returned function gives it back (call it once the
 * stream ends). A slot left behind by a crashed isolate frees itself when the limiter's lease expires.
 */
export const holdTaskEventStream = async (env: Env, key: AuthenticatedKey, now: number): Promise<() => Promise<void>> => {
  const streamsKey = meteredAs(key, 'task-event-streams', { maxConcurrent: MAX_TASK_EVENT_STREAMS });
  try {
    const admission = await admitRequest(env, streamsKey, now);
    return () => releaseRequest(env, streamsKey, admission);
  } catch (error) {
    throw refused(error, `limit of ${MAX_TASK_EVENT_STREAMS} open task event streams reached`);
  }
};
