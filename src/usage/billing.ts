import type { AuthenticatedKey } from '../auth/key-record';
import { refreshingMap, type BackgroundContext } from '../cache/refreshing-map';
import { readSessionOf } from '../db/read-session';
import type { Env } from '../env';
import { RelayError } from '../errors';
import { formatResetInstant } from '../quota/headers';
import { monthOf } from './days';
import { formatDollars } from './money';

/**
 * How long one isolate trusts a balance / month-spend reading without looking again. Past it, a
 * request with a context is still answered from the reading while one refresh runs in its waitUntil;
 * past SPEND_MAX_STALE_MS (or with no reading, or no context) the request waits for D1. The bound on
 * over-spend follows: once the balance reaches zero (or the cap is reached), a busy isolate refuses
 * from the first request after the refresh that follows the usage fold (SPEND_CACHE_TTL_MS + one D1
 * read, plus the usage queue's lag: max_batch_timeout 2 s + the consumer's write, plus the fold's:
 * up to USAGE_FOLD_SECONDS, src/usage/usage-fold.ts), and a quiet one
 * admits at most the requests that arrive while its one refresh runs; no reading older than
 * SPEND_MAX_STALE_MS is used. Requests already admitted finish and are charged in full (a balance may go
 * negative); a prepaid request's money is reserved exactly in its account's AccountBalance object anyway (spend-hold.ts).
 */
export const SPEND_CACHE_TTL_MS = 5_000;
export const SPEND_MAX_STALE_MS = 30_000;

interface SpendReading {
  accountId: string;
  balanceMicros: number;
  monthSpendMicros: number;
}

/** Keyed by key and month, so a new month never reads last month's spend. */
const readings = refreshingMap<string, SpendReading>({ freshMs: SPEND_CACHE_TTL_MS, maxStaleMs: SPEND_MAX_STALE_MS, maxEntries: 10_000 });
const readingKey = (key: AuthenticatedKey, month: string): string => `${key.id}:${month}`;

/** Drops cached readings so a top-up is seen by this isolate at once (others within the bounds above). */
export const forgetSpendCache = (accountId?: string): void => {
  if (accountId === undefined) readings.clear();
  else readings.invalidateWhere((reading) => reading.accountId === accountId);
};

// One round trip for both figures; the month spend comes from the daily rollup (≤ 31 × models rows).
const querySpend = async (db: D1Database, key: AuthenticatedKey, month: string): Promise<SpendReading> => {
  const [balance, spend] = await db.batch<{ value: number | null }>([
    db.prepare('SELECT balance_micros AS value FROM accounts WHERE id = ?1').bind(key.accountId),
    db.prepare('SELECT SUM(cost_micros) AS value FROM usage_daily WHERE key_id = ?1 AND day >= ?2').bind(key.id, month),
  ]);
  return { accountId: key.accountId, balanceMicros: balance?.results[0]?.value ?? 0, monthSpendMicros: spend?.results[0]?.value ?? 0 };
};

/** The cheap first look reads any replica: the exact decisions are the account object's (holds) and the primary's (charges). */
const readSpend = (env: Env, key: AuthenticatedKey, now: number, background?: BackgroundContext): Promise<SpendReading> => {
  const month = monthOf(now).firstDay;
  return readings.get(readingKey(key, month), now, async () => ({ value: await querySpend(readSessionOf(env.DB), key, month), readAt: now }), background);
};

export const balanceRefusal = (key: AuthenticatedKey, balanceMicros: number): RelayError =>
  new RelayError(
    'insufficient_quota',
    402,
    `Your prepaid balance is ${formatDollars(balanceMicros)}: top up account "${key.accountId}" to continue making requests.`,
    { code: 'insufficient_quota' },
  );

const capRefusal = (cap: number, spentMicros: number, now: number): RelayError =>
  new RelayError(
    'insufficient_quota',
    402,
    `This API key reached its monthly spend cap of ${formatDollars(cap)} (${formatDollars(spentMicros)} spent this month); ` +
      `the cap resets at ${formatResetInstant(monthOf(now).nextMonthStart)}.`,
    { code: 'spend_cap_reached' },
  );

/**
 * Refuses a request before it reaches any upstream when the key may not spend: a prepaid account whose
 * balance is ≤ 0, or a key past its monthly spend cap. Both are kind `insufficient_quota` with status
 * 402, which each codec renders in its own shape: OpenAI formats 429 `insufficient_quota`, Anthropic
 * 402 `billing_error` (its documented status, one its SDKs do not retry), Gemini 429 RESOURCE_EXHAUSTED.
 * This is the cheap, cached first look; a prepaid request's money is then reserved exactly by
 * reserveSpend (src/usage/spend-hold.ts).
 */
export const assertCanSpend = async (env: Env, key: AuthenticatedKey, now: number, background?: BackgroundContext): Promise<void> => {
  const cap = key.monthlySpendCapMicros;
  if (key.billing !== 'prepaid' && cap === null) return;
  const reading = await readSpend(env, key, now, background);
  if (key.billing === 'prepaid' && reading.balanceMicros <= 0) throw balanceRefusal(key, reading.balanceMicros);
  if (cap !== null && reading.monthSpendMicros >= cap) throw capRefusal(cap, reading.monthSpendMicros, now);
};

/**
 * The check for a request whose price is known before it runs (an image task): the spend cap must
 * leave room for the whole price, read fresh (a task is far rarer than a chat request). The balance
 * is checked by the task's own charge, which is refused below zero.
 */
export const assertCanSpendPrice = async (env: Env, key: AuthenticatedKey, priceMicros: number, now: number): Promise<void> => {
  const cap = key.monthlySpendCapMicros;
  if (cap === null) return;
  const reading = await querySpend(env.DB, key, monthOf(now).firstDay);
  if (reading.monthSpendMicros + priceMicros > cap) throw capRefusal(cap, reading.monthSpendMicros, now);
};
