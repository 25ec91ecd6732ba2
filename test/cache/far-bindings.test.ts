import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, expect, it } from 'vitest';
import { farEnv } from '../../bench/lib/distance-bindings.mjs';
import { buildApp } from '../../src/app';
import { forgetKeyId, forgetKey } from '../../src/auth/key-cache';
import { hashApiKey } from '../../src/auth/key-hash';
import { forgetRouteTable, invalidateRouteTable } from '../../src/routing/route-table';
import { addMockProvider, createKey, type CreatedKey } from '../setup/seed';

/** D1 and the quota object 80 ms away each way, as from another continent: one round trip = 160 ms. */
const ONE_WAY_MS = 80;
const ROUND_TRIP_MS = 2 * ONE_WAY_MS;
const app = buildApp();
const far = farEnv(env, ONE_WAY_MS);

let unlimited: CreatedKey;
let windowed: CreatedKey;
beforeAll(async () => {
  await addMockProvider();
  unlimited = await createKey({ plan: 'unlimited' });
  windowed = await createKey({ plan: 'pro', quotaOverrides: { requestsPer5h: 1_000_000, requestsPerWeek: 1_000_000 } });
});

const timedChat = async (key: CreatedKey, bindings: typeof env): Promise<number> => {
  const ctx = createExecutionContext();
  const started = performance.now();
  const response = await app.fetch(
    new Request('http://relay.test/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-far', messages: [{ role: 'user', content: 'hi' }] }),
    }),
    bindings,
    ctx,
  );
  await response.text();
  const elapsed = performance.now() - started;
  expect(response.status).toBe(200);
  await waitOnExecutionContext(ctx);
  return elapsed;
};

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** Medians of the far request's time and of the time far bindings add over local ones, each after the same `reset`. */
const measure = async (key: CreatedKey, reset: (key: CreatedKey) => Promise<void>, runs = 3): Promise<{ farMs: number; addedMs: number }> => {
  const farMs: number[] = [];
  const added: number[] = [];
  for (let i = 0; i < runs; i++) {
    await reset(key);
    const local = await timedChat(key, env);
    await reset(key);
    farMs.push(await timedChat(key, far));
    added.push((farMs.at(-1) ?? NaN) - local);
  }
  return { farMs: median(farMs), addedMs: median(added) };
};

const nothing = async () => undefined;
/** A fresh isolate in a colo nobody used for a while: no isolate memory, no colo copies. */
const coldColo = async (key: CreatedKey) => {
  await forgetRouteTable();
  await forgetKey({ id: key.id, keyHash: await hashApiKey(key.key) });
};
/** A fresh isolate where others are busy: no isolate memory, the colo holds their copies. */
const coldIsolate = async (key: CreatedKey) => {
  invalidateRouteTable();
  forgetKeyId(key.id);
};

it('a warm request does not wait on far bindings', async () => {
  await timedChat(unlimited, far);
  expect((await measure(unlimited, nothing, 5)).addedMs).toBeLessThan(20);
});

it("a cold isolate in a quiet colo waits one D1 round trip: the key and the route table reads overlap", async () => {
  const { farMs, addedMs } = await measure(unlimited, coldColo, 5);
  expect(farMs).toBeGreaterThanOrEqual(ROUND_TRIP_MS);
  // One after the other they would add two round trips.
  expect(addedMs).toBeLessThan(2 * ROUND_TRIP_MS - 40);
});

it('a cold isolate in a busy colo does not go to D1 at all', async () => {
  await timedChat(unlimited, far); // leaves the colo's copies
  expect((await measure(unlimited, coldIsolate)).farMs).toBeLessThan(ROUND_TRIP_MS);
});

it('a key with request windows pays one quota object round trip', async () => {
  await timedChat(windowed, far);
  const { farMs, addedMs } = await measure(windowed, nothing, 5);
  expect(farMs).toBeGreaterThanOrEqual(ROUND_TRIP_MS);
  expect(addedMs).toBeLessThan(ROUND_TRIP_MS + 40);
});
