/**
 * Failed admin-token attempts (admin API, dashboard login, /health details) counted per client IP in
 * KV: after MAX_LOGIN_FAILURES in one window, that address gets 429 until the window ends, right
 * token or not, so guessing runs at a few tries per quarter hour. KV has no compare-and-set and is
 * eventually consistent across locations, so a distributed guesser may get a few more tries than the
 * limit; with a token of 24+ random characters that changes nothing, and no Durable Object round trip
 * is added to admin calls.
 */
export const MAX_LOGIN_FAILURES = 10;
export const LOGIN_WINDOW_SECONDS = 15 * 60;

interface FailureRecord {
  failures: number;
  resetAt: number;
}

const keyOf = (ip: string): string => `login-fail:${ip}`;

/**
 * The bucket a caller's failures count in: its cf-connecting-ip, which Cloudflare sets on every request
 * from the internet. Without one, a deployment puts every such caller (service bindings) in one shared
 * bucket, and a local run (DEV_MODE, where test suites make hundreds of admin calls) does not count.
 */
export const throttleBucketOf = (request: Request, devMode: boolean): string | null =>
  request.headers.get('cf-connecting-ip') ?? (devMode ? null : 'no-client-ip');

const readRecord = async (kv: KVNamespace, ip: string, now: number): Promise<FailureRecord | null> => {
  const record = await kv.get<FailureRecord>(keyOf(ip), 'json');
  return record !== null && record.resetAt > now ? record : null;
};

/** Seconds until this address may try again, or null when it may try now. */
export const loginLockedFor = async (kv: KVNamespace, ip: string | null, now: number): Promise<number | null> => {
  if (ip === null) return null;
  const record = await readRecord(kv, ip, now);
  if (record === null || record.failures < MAX_LOGIN_FAILURES) return null;
  return Math.max(1, Math.ceil((record.resetAt - now) / 1000));
};

export const recordLoginFailure = async (kv: KVNamespace, ip: string | null, now: number): Promise<void> => {
  if (ip === null) return;
  const record = (await readRecord(kv, ip, now)) ?? { failures: 0, resetAt: now + LOGIN_WINDOW_SECONDS * 1000 };
  const next: FailureRecord = { failures: record.failures + 1, resetAt: record.resetAt };
  // KV's expiration must be at least 60 s ahead.
  const expirationTtl = Math.max(60, Math.ceil((next.resetAt - now) / 1000));
  try {
    await kv.put(keyOf(ip), JSON.stringify(next), { expirationTtl });
  } catch (error) {
    // KV refuses more than one write per second to a key: the count is already at least this high.
    console.error(JSON.stringify({ message: 'login throttle write failed', error: String(error) }));
  }
};

export const loginRetryMessage = (seconds: number): string =>
  `too many failed admin token attempts from this address; try again in ${seconds} s`;
