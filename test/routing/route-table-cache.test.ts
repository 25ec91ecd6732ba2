import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { invalidateRouteTable, loadRouteTable, ROUTE_TABLE_FRESH_MS, ROUTE_TABLE_MAX_STALE_MS } from '../../src/routing/route-table';
import { addProvider } from '../setup/seed';

const modelsOf = async (now: number, withBackground: boolean): Promise<string[]> => {
  const ctx = createExecutionContext();
  const table = await loadRouteTable(env, now, withBackground ? ctx : undefined);
  await waitOnExecutionContext(ctx);
  return table.routes.filter((route) => route.provider.id === 'swr-provider').map((route) => route.publicModel);
};

/** A change made behind this isolate's back (another isolate served the admin write). */
const renameModelInD1 = (name: string) => env.DB.prepare("UPDATE model_routes SET public_model = ?1 WHERE provider_id = 'swr-provider'").bind(name).run();

it('serves a warm table without waiting on D1, refreshes it in the background, and never serves one older than the hard bound', async () => {
  await addProvider({ id: 'swr-provider', protocol: 'openai-chat', baseUrl: 'http://swr.fake/v1', models: ['swr-a'] });
  invalidateRouteTable();
  const t0 = Date.now();
  expect(await modelsOf(t0, true)).toEqual(['swr-a']);

  await renameModelInD1('swr-b');
  // Fresh: the cached table, no D1 read.
  expect(await modelsOf(t0 + ROUTE_TABLE_FRESH_MS - 1, true)).toEqual(['swr-a']);
  // Stale: still the cached table for this request, while one refresh runs in its waitUntil...
  expect(await modelsOf(t0 + ROUTE_TABLE_FRESH_MS + 1, true)).toEqual(['swr-a']);
  // ...so the next request sees the change.
  expect(await modelsOf(t0 + ROUTE_TABLE_FRESH_MS + 2, true)).toEqual(['swr-b']);

  await renameModelInD1('swr-c');
  const refreshedAt = t0 + ROUTE_TABLE_FRESH_MS + 1;
  // A quiet isolate: nothing asked for the table for longer than the hard bound, so this request waits for D1.
  expect(await modelsOf(refreshedAt + ROUTE_TABLE_MAX_STALE_MS, true)).toEqual(['swr-c']);

  await renameModelInD1('swr-d');
  // Without a request context to refresh in (a queue consumer, a cron), a stale table is reloaded at once.
  expect(await modelsOf(refreshedAt + ROUTE_TABLE_MAX_STALE_MS + ROUTE_TABLE_FRESH_MS + 1, false)).toEqual(['swr-d']);
  invalidateRouteTable();
});

it('an admin write in this isolate is seen by the next request at once', async () => {
  invalidateRouteTable();
  const now = Date.now();
  await modelsOf(now, true);
  await addProvider({ id: 'swr-second', protocol: 'openai-chat', baseUrl: 'http://swr2.fake/v1', models: ['swr-second-model'] });
  const table = await loadRouteTable(env, now + 1);
  expect(table.routes.some((route) => route.publicModel === 'swr-second-model')).toBe(true);
});
