import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { adminTokenState } from '../auth/admin-token';
import { basePathOf, publicPath } from '../base-path';
import type { AppVariables, Env } from '../env';
import { csrfTokenFor } from './csrf';

/**
 * The dashboard session: a cookie `__Host-polyrelay_session` = `<expiresAt>.<nonce>`, signed with
 * HMAC-SHA256 (hono/cookie's signed cookies), and a KV record `dash-session:<nonce>` that lives as long
 * as the session. Logout deletes the record, so a copied cookie is dead after logout, not just cleared
 * from one browser (KV may serve a deleted record for up to a minute in other locations). The signing
 * secret is derived from ADMIN_TOKEN, never the token itself, so rotating the admin token logs every
 * dashboard session out at once.
 */
const SESSION_COOKIE = 'polyrelay_session';
const SESSION_TTL_SECONDS = 12 * 3600;

interface DashboardVariables {
  /** The session's CSRF token, rendered into every form. */
  csrfToken: string;
}

export type DashboardEnv = { Bindings: Env; Variables: AppVariables & DashboardVariables };

interface Session {
  nonce: string;
  expiresAt: number;
}

const secretCache = new Map<string, Promise<string>>();

/** HMAC(ADMIN_TOKEN, label): a per-purpose key, so a cookie MAC never doubles as anything else. */
export const derivedSecret = (adminToken: string, label: string): Promise<string> => {
  const cacheKey = `${label}\u0000${adminToken}`;
  let secret = secretCache.get(cacheKey);
  if (secret === undefined) {
    secret = (async () => {
      const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(adminToken), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(label));
      return Array.from(new Uint8Array(mac), (byte) => byte.toString(16).padStart(2, '0')).join('');
    })();
    secretCache.set(cacheKey, secret);
  }
  return secret;
};

const sessionSecret = (adminToken: string) => derivedSecret(adminToken, 'polyrelay dashboard session v1');

const randomNonce = (): string => Array.from(crypto.getRandomValues(new Uint8Array(18)), (byte) => byte.toString(16).padStart(2, '0')).join('');

const recordKey = (nonce: string): string => `dash-session:${nonce}`;

/**
 * At the root the cookie is `__Host-` (Path=/, this host only). Under BASE_PATH the relay shares its
 * host with another site, so the cookie is scoped to the dashboard's path and those other pages never
 * receive it; `__Host-` requires Path=/, so it is `__Secure-` there.
 */
const cookieScope = (env: Env): { prefix: 'host' | 'secure'; path: string } => {
  const base = basePathOf(env);
  return base === '' ? { prefix: 'host', path: '/' } : { prefix: 'secure', path: `${base}/dashboard` };
};

export const startSession = async (c: Context<DashboardEnv>, adminToken: string, now: number): Promise<void> => {
  const expiresAt = now + SESSION_TTL_SECONDS * 1000;
  const nonce = randomNonce();
  await c.env.TASKS.put(recordKey(nonce), '1', { expirationTtl: SESSION_TTL_SECONDS });
  await setSignedCookie(c, SESSION_COOKIE, `${expiresAt}.${nonce}`, await sessionSecret(adminToken), {
    ...cookieScope(c.env),
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    maxAge: SESSION_TTL_SECONDS,
  });
};

/** Revokes the request's session server-side and clears its cookie. */
export const endSession = async (c: Context<DashboardEnv>): Promise<void> => {
  const session = await readSession(c, Date.now());
  if (session !== null) await c.env.TASKS.delete(recordKey(session.nonce));
  deleteCookie(c, SESSION_COOKIE, { ...cookieScope(c.env), secure: true, httpOnly: true, sameSite: 'Strict' });
};

/** The session in the request's cookie, or null when it is missing, forged or expired. */
const readSession = async (c: Context<DashboardEnv>, now: number): Promise<Session | null> => {
  const state = adminTokenState(c.env);
  if (state.kind !== 'ok') return null;
  const value = await getSignedCookie(c, await sessionSecret(state.token), SESSION_COOKIE, cookieScope(c.env).prefix);
  if (typeof value !== 'string') return null;
  const match = /^(\d+)\.([0-9a-f]{36})$/.exec(value);
  const expiresAt = Number(match?.[1]);
  if (match?.[2] === undefined || !Number.isSafeInteger(expiresAt) || expiresAt <= now) return null;
  if ((await c.env.TASKS.get(recordKey(match[2]))) === null) return null;
  return { nonce: match[2], expiresAt };
};

/** Pages behind the login: a missing or bad session goes to /dashboard/login (a 401 for non-GET requests). */
export const requireSession = (): MiddlewareHandler<DashboardEnv> =>
  async function requireSession(c, next) {
    const session = await readSession(c, Date.now());
    if (session === null) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect(publicPath(c.env, '/dashboard/login'), 303);
      return c.text('session expired: log in again', 401);
    }
    const adminToken = c.env.ADMIN_TOKEN ?? '';
    c.set('csrfToken', await csrfTokenFor(await derivedSecret(adminToken, 'polyrelay dashboard csrf v1'), session.nonce));
    await next();
  };
