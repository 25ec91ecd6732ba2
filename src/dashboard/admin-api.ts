import type { Context } from 'hono';
import { Hono } from 'hono';
import { accountAdminRoutes } from '../admin/accounts';
import { keyAdminRoutes } from '../admin/keys';
import { priceAdminRoutes } from '../admin/prices';
import { providerAdminRoutes } from '../admin/providers';
import { usageAdminRoutes, usageCsvRoutes } from '../admin/usage';
import type { AppEnv } from '../env';
import { toRelayError } from '../errors';
import type { DashboardEnv } from './session';

/**
 * The admin API's own handlers, called in-process. Every dashboard write goes through them, so validation,
 * encryption of upstream keys and cache invalidation stay in one place; the session replaces the bearer
 * token, which is why this app has no adminAuth() in front.
 */
const adminApi = new Hono<AppEnv>()
  .route('/providers', providerAdminRoutes)
  .route('/keys', keyAdminRoutes)
  .route('/usage', usageAdminRoutes)
  .route('/', usageCsvRoutes)
  .route('/prices', priceAdminRoutes)
  .route('/accounts', accountAdminRoutes);

adminApi.onError((error) => {
  const relayError = toRelayError(error);
  if (relayError.status >= 500) console.error(JSON.stringify({ message: 'dashboard admin call failed', error: String(error) }));
  return new Response(JSON.stringify({ error: { message: relayError.message, param: relayError.param ?? null } }), {
    status: relayError.status,
    headers: { 'content-type': 'application/json' },
  });
});

export type AdminResult = { ok: true; status: number; body: unknown } | { ok: false; status: number; message: string };

const executionContextOf = (c: Context<DashboardEnv>) => {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
};

/** Raw response of one admin call (the CSV export streams it straight through). */
export const adminFetch = (c: Context<DashboardEnv>, method: string, path: string, body?: unknown): Promise<Response> => {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  return Promise.resolve(adminApi.request(`http://admin.internal${path}`, init, c.env, executionContextOf(c)));
};

/** One admin call; a refusal comes back as its message, for the page's flash. */
export const callAdmin = async (c: Context<DashboardEnv>, method: string, path: string, body?: unknown): Promise<AdminResult> => {
  const response = await adminFetch(c, method, path, body);
  const parsed: unknown = await response.json();
  if (response.ok) return { ok: true, status: response.status, body: parsed };
  const message =
    typeof parsed === 'object' && parsed !== null && 'error' in parsed && typeof parsed.error === 'object' && parsed.error !== null && 'message' in parsed.error
      ? String(parsed.error.message)
      : `admin call failed with ${response.status}`;
  return { ok: false, status: response.status, message };
};
