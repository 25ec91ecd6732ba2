import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { buildApp } from '../../src/app';
import { dashboardRoutes } from '../../src/dashboard/routes';
import type { Env } from '../../src/env';
import { onboardingRoutes } from '../../src/onboarding/routes';
import { ADMIN_TOKEN } from '../setup/seed';

/** The relay as app.ts builds it, with the dashboard and onboarding mounted the way app.ts will mount them. */
const app = buildApp();
app.route('/dashboard', dashboardRoutes);
app.route('/', onboardingRoutes);

export const ORIGIN = 'https://relay.test';

export const fetchApp = async (url: string, init: RequestInit = {}, bindings: Env = env): Promise<Response> => {
  const context = createExecutionContext();
  const response = await app.fetch(new Request(url.startsWith('http') ? url : `${ORIGIN}${url}`, init), bindings, context);
  await waitOnExecutionContext(context);
  return response;
};

export const formPost = (path: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}, bindings: Env = env): Promise<Response> => {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const entry of Array.isArray(value) ? value : [value]) body.append(name, entry);
  return fetchApp(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, 'sec-fetch-site': 'same-origin', ...headers }, body }, bindings);
};

/** `&amp;` → `&` etc., to compare page text with what a reader copies. */
export const unescapeHtml = (html: string): string =>
  html.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

export interface DashboardSession {
  cookie: string;
  csrf: string;
  get(path: string): Promise<Response>;
  post(path: string, fields?: Record<string, string | string[]>, headers?: Record<string, string>): Promise<Response>;
}

export const csrfOf = (html: string): string => {
  const match = /name="_csrf" value="([0-9a-f]{64})"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF field on the page');
  return match[1];
};

/** Logs in with the admin token the way the login form does and returns the session cookie and its CSRF token. */
export const login = async (): Promise<DashboardSession> => {
  const response = await formPost('/dashboard/login', { token: ADMIN_TOKEN });
  if (response.status !== 303) throw new Error(`login failed: ${response.status}`);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const page = await fetchApp('/dashboard/keys', { headers: { cookie } });
  const csrf = csrfOf(await page.text());
  return {
    cookie,
    csrf,
    get: (path) => fetchApp(path, { headers: { cookie } }),
    post: (path, fields = {}, headers = {}) => formPost(path, { _csrf: csrf, ...fields }, { cookie, ...headers }),
  };
};

/** The flash message a form post redirected with (`?ok=` or `?error=`). */
export const flashOf = (response: Response): { kind: string; message: string } | null => {
  const location = response.headers.get('location');
  if (location === null) return null;
  const url = new URL(location, ORIGIN);
  const error = url.searchParams.get('error');
  if (error !== null) return { kind: 'error', message: error };
  const ok = url.searchParams.get('ok');
  return ok === null ? null : { kind: 'ok', message: ok };
};
