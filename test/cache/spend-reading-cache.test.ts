import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import type { AuthenticatedKey } from '../../src/auth/key-record';
import { hashApiKey } from '../../src/auth/key-hash';
import { lookupKey } from '../../src/auth/key-cache';
import { assertCanSpend, SPEND_CACHE_TTL_MS, SPEND_MAX_STALE_MS } from '../../src/usage/billing';
import { admin, createKey } from '../setup/seed';

const prepaidKey = async (): Promise<AuthenticatedKey> => {
  const created = await createKey({ billing: 'prepaid' });
  expect((await admin('POST', `/accounts/${created.accountId}/topup`, { amount: 1, reference: `seed_${created.id}` })).status).toBe(201);
  const found = await lookupKey(env, await hashApiKey(created.key), Date.now());
  if (found === undefined) throw new Error('key not found');
  return found.key;
};

/** The balance spent behind this isolate's back (another isolate's usage write). */
const drain = (key: AuthenticatedKey) => env.DB.prepare('UPDATE accounts SET balance_micros = -5 WHERE id = ?1').bind(key.accountId).run();

const verdictAt = async (key: AuthenticatedKey, now: number, withBackground = true): Promise<'admitted' | 'refused'> => {
  const ctx = createExecutionContext();
  const verdict = await assertCanSpend(env, key, now, withBackground ? ctx : undefined).then(
    () => 'admitted' as const,
    () => 'refused' as const,
  );
  await waitOnExecutionContext(ctx);
  return verdict;
};

it('stated bounds', () => {
  expect([SPEND_CACHE_TTL_MS, SPEND_MAX_STALE_MS]).toEqual([5_000, 30_000]);
});

it('a busy isolate answers from its reading, then refuses on the request after the background refresh', async () => {
  const key = await prepaidKey();
  const t0 = Date.now();
  expect(await verdictAt(key, t0)).toBe('admitted');
  await drain(key);
  expect(await verdictAt(key, t0 + SPEND_CACHE_TTL_MS - 1)).toBe('admitted');
  expect(await verdictAt(key, t0 + SPEND_CACHE_TTL_MS + 1)).toBe('admitted');
  expect(await verdictAt(key, t0 + SPEND_CACHE_TTL_MS + 2)).toBe('refused');
});

it('a quiet isolate waits for D1 once its reading is older than SPEND_MAX_STALE_MS; without a context, once past fresh', async () => {
  const key = await prepaidKey();
  const t0 = Date.now();
  expect(await verdictAt(key, t0)).toBe('admitted');
  await drain(key);
  expect(await verdictAt(key, t0 + SPEND_MAX_STALE_MS)).toBe('refused');

  const other = await prepaidKey();
  expect(await verdictAt(other, t0)).toBe('admitted');
  await drain(other);
  expect(await verdictAt(other, t0 + SPEND_CACHE_TTL_MS, false)).toBe('refused');
});
