import type { AuthenticatedKey } from '../auth/key-record';
import type { Env } from '../env';
import { RelayError } from '../errors';
import { formatResetInstant } from '../quota/headers';
import { monthOf } from './days';
import { formatDollars } from './money';

/**
 * How long one isolate trusts a balance / month-spend reading. The bound on over-spend follows from it:
 * once the balance reaches zero (or the cap is reached), an isolate keeps admitting that key for at most
 * this long plus the usage queue's lag (max_batch_timeout 2 s + the consumer's write), and requests
 * already in flight finish and are charged. The overshoot is therefore at most the cost of the
 * requests the key starts in that window of about 7 s, per isolate; the charges are still recorded
 * in full (the balance goes negative) and the next reading refuses.
 */
export const SPEND_CACHE_TTL_MS = 5_000;
const SPEND_CACHE_MAX_ENTRIES = 10_000;

interface SpendReading {
  accountId: string;
  balanceMicros: number;
  monthSpendMicros: number;
  month: string;
  readAt: number;
}

const readings = new Map<string, SpendReading>();

/** Drops cached readings so a top-up is seen by this isolate at once (others within the TTL). */
export const forgetSpendCache = (accountId?: string): void => {
  if (accountId === undefined) {
    readings.clear();
    return;
  }
  for (const [keyId, reading] of readings) if (reading.accountId === accountId) readings.delete(keyId);
};

const readSpend = async (env: Env, key: AuthenticatedKey, now: number): Promise<SpendReading> => {
  const month = monthOf(now).firstDay;
  const cached = readings.get(key.id);
  if (cached !== undefined && cached.month === month && now - cached.readAt < SPEND_CACHE_TTL_MS && now >= cached.readAt) return cached;
  // One round trip for both figures; the month spend comes from the daily rollup (≤ 31 × models rows).
  const [balance, spend] = await env.DB.batch<{ value: number | null }>([
    env.DB.prepare('SELECT balance_micros AS value FROM accounts WHERE id = ?1').bind(key.accountId),
    env.DB.prepare('SELECT SUM(cost_micros) AS value FROM usage_daily WHERE key_id = ?1 AND day >= ?2').bind(key.id, month),
  ]);
  const reading: SpendReading = {
    accountId: key.accountId,
    balanceMicros: balance?.results[0]?.value ?? 0,
    monthSpendMicros: spend?.results[0]?.value ?? 0,
    month,
    readAt: now,
  };
  if (readings.size >= SPEND_CACHE_MAX_ENTRIES) readings.clear();
  readings.set(key.id, reading);
  return reading;
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
export const assertCanSpend = async (env: Env, key: AuthenticatedKey, now: number): Promise<void> => {
  const cap = key.monthlySpendCapMicros;
  if (key.billing !== 'prepaid' && cap === null) return;
  const reading = await readSpend(env, key, now);
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
  readings.delete(key.id);
  const reading = await readSpend(env, key, now);
  if (reading.monthSpendMicros + priceMicros > cap) throw capRefusal(cap, reading.monthSpendMicros, now);
};
