import type { AuthenticatedKey } from '../auth/key-record';
import { readSessionOf } from '../db/read-session';
import type { Env } from '../env';
import { accountBalanceOf } from './account-balance';
import { balanceRefusal } from './billing';

/**
 * Output tokens a prepaid request is assumed to produce when its money is reserved. The reservation
 * is min(estimate, available): a request costing more than its reservation may still take the balance
 * somewhat below zero, by at most that difference per request in flight (which the prepaid default
 * concurrency cap bounds), never by the sum of many concurrent requests.
 */
export const HOLD_OUTPUT_TOKENS = 4_096;

export interface SpendHold {
  accountId: string;
  requestId: string;
}

export interface HoldInput {
  requestId: string;
  model: string;
  /** The first candidate's upstream name: an alias is priced by it when the public name has no price (as the usage event is). */
  upstreamModel?: string;
  inputTokens: number;
  /** The request's start, which is its usage event's created_at. */
  now: number;
}

/** The request's input plus HOLD_OUTPUT_TOKENS at its model's price (public name first, as the usage event is priced); 0 when unpriced. */
const estimateMicros = async (env: Env, input: HoldInput): Promise<number> => {
  const upstream = input.upstreamModel ?? input.model;
  const rows = await readSessionOf(env.DB)
    .prepare('SELECT model, input_per_million_micros AS input, output_per_million_micros AS output FROM model_prices WHERE model IN (?1, ?2)')
    .bind(input.model, upstream)
    .all<{ model: string; input: number; output: number }>();
  const price = rows.results.find((row) => row.model === input.model) ?? rows.results.find((row) => row.model === upstream);
  if (price === undefined) return 0;
  return Math.ceil((Math.max(0, Math.ceil(input.inputTokens)) * price.input + HOLD_OUTPUT_TOKENS * price.output) / 1_000_000);
};

/**
 * Reserves a prepaid request's estimated maximum cost before any upstream call, in the account's
 * AccountBalance object, which serialises the account's reservations: concurrent requests draw the
 * money available down one after another and the one that finds none is refused, so the balance is
 * never promised twice. Nothing is written to D1: the hold is settled when D1 has folded the request's
 * usage event (its charge in the balance), or returned by releaseSpendHold when the request ends without one. An
 * unpriced model holds nothing but is still refused when nothing is available. undefined: nothing
 * was held (not prepaid, or a free model).
 */
export const reserveSpend = async (env: Env, key: AuthenticatedKey, input: HoldInput): Promise<SpendHold | undefined> => {
  if (key.billing !== 'prepaid') return undefined;
  const outcome = await accountBalanceOf(env, key.accountId).reserve({
    accountId: key.accountId,
    requestId: input.requestId,
    createdAt: input.now,
    estimateMicros: await estimateMicros(env, input),
  });
  if ('refusedAvailableMicros' in outcome) throw balanceRefusal(key, outcome.refusedAvailableMicros);
  return outcome.heldMicros > 0 ? { accountId: key.accountId, requestId: input.requestId } : undefined;
};

/** Returns a reservation at once, for a request that ends without a usage event. Idempotent. */
export const releaseSpendHold = async (env: Env, hold: SpendHold | undefined): Promise<void> => {
  if (hold === undefined) return;
  await accountBalanceOf(env, hold.accountId).release({ requestId: hold.requestId });
};
