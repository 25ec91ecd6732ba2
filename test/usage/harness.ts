import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { accountAdminRoutes } from '../../src/admin/accounts';
import { priceAdminRoutes } from '../../src/admin/prices';
import { usageAdminRoutes, usageCsvRoutes } from '../../src/admin/usage';
import { buildApp } from '../../src/app';
import { usageRoutes } from '../../src/routes/usage';
import type { UsageEvent } from '../../src/usage/event';
import { ADMIN_TOKEN } from '../setup/seed';

/** The relay app with this area's sub-apps mounted where app.ts will mount them. */
export const usageApp = buildApp();
usageApp.route('/', usageRoutes);
usageApp.route('/admin/usage', usageAdminRoutes);
usageApp.route('/admin', usageCsvRoutes);
usageApp.route('/admin/prices', priceAdminRoutes);
usageApp.route('/admin/accounts', accountAdminRoutes);

/** Calls the app and waits for its waitUntil work (usage events queued, limiter releases). */
export const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
  const ctx = createExecutionContext();
  const response = await usageApp.fetch(new Request(`http://relay.test${path}`, init), env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
};

/** Like call, but returns before waitUntil work finishes (for streams the test reads itself). */
export const callStreaming = async (path: string, init: RequestInit = {}): Promise<Response> =>
  usageApp.fetch(new Request(`http://relay.test${path}`, init), env, createExecutionContext());

export const adminCall = (method: string, path: string, body?: unknown): Promise<Response> =>
  call(`/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

export const keyGet = (path: string, key: string): Promise<Response> => call(path, { headers: { authorization: `Bearer ${key}` } });

let sequence = 0;

/** A usage event with defaults; ids are unique per call. */
export const usageEvent = (overrides: Partial<UsageEvent> = {}): UsageEvent => ({
  requestId: `req_test_${Date.now()}_${sequence++}`,
  accountId: 'acct_test',
  keyId: 'key_test',
  model: 'priced-model',
  providerId: 'mock',
  upstreamModel: 'priced-model',
  clientFormat: 'openai-chat',
  upstreamFormat: 'openai-chat',
  status: 200,
  errorType: null,
  stream: false,
  aborted: false,
  usage: { inputTokens: 1000, outputTokens: 500, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
  latencyMs: 120,
  ttfbMs: 40,
  createdAt: Date.now(),
  ...overrides,
});

export const dbCount = async (sql: string, ...params: Array<string | number>): Promise<number> =>
  (await env.DB.prepare(sql).bind(...params).first<{ n: number }>())?.n ?? 0;

/** Polls until `check` returns a value (the real usage queue delivers after its batch timeout). */
export const eventually = async <T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** Micro-dollars per 1M tokens, written straight to model_prices. */
export const setPrice = async (model: string, input: number, output: number, cacheRead = input, cacheWrite = input): Promise<void> => {
  await env.DB.prepare(
    `INSERT INTO model_prices (model, input_per_million_micros, output_per_million_micros, cache_read_per_million_micros,
       cache_write_per_million_micros, per_image_micros, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)
     ON CONFLICT (model) DO UPDATE SET input_per_million_micros = excluded.input_per_million_micros,
       output_per_million_micros = excluded.output_per_million_micros, cache_read_per_million_micros = excluded.cache_read_per_million_micros,
       cache_write_per_million_micros = excluded.cache_write_per_million_micros`,
  )
    .bind(model, input, output, cacheRead, cacheWrite, Date.now())
    .run();
};

export interface LedgerState {
  balance: number;
  ledgerSum: number;
  charges: number;
}

export const ledgerState = async (accountId: string): Promise<LedgerState> => {
  const row = await env.DB.prepare(
    `SELECT a.balance_micros AS balance, (SELECT COALESCE(SUM(amount_micros), 0) FROM ledger WHERE account_id = a.id) AS ledgerSum,
       (SELECT COUNT(*) FROM ledger WHERE account_id = a.id AND kind = 'charge') AS charges FROM accounts a WHERE a.id = ?1`,
  )
    .bind(accountId)
    .first<LedgerState>();
  if (row === null) throw new Error(`no account ${accountId}`);
  return row;
};
