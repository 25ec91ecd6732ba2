import type { Context, MiddlewareHandler } from 'hono';
import { timingSafeEqual } from '../auth/key-hash';
import type { DashboardEnv } from './session';

/**
 * CSRF defence in three layers, each enough on its own in current browsers:
 * 1. the session cookie is SameSite=Strict, so a cross-site form post arrives without a session;
 * 2. unsafe requests must come from this origin (`Sec-Fetch-Site`, then `Origin` when the browser sends it);
 * 3. every form carries `_csrf` = HMAC(csrf secret, session nonce), checked in constant time.
 * The token is bound to the session, so it needs no cookie or server state of its own.
 */
export const CSRF_FIELD = '_csrf';

export const csrfTokenFor = async (secret: string, nonce: string): Promise<string> => {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`csrf.${nonce}`));
  return Array.from(new Uint8Array(mac), (byte) => byte.toString(16).padStart(2, '0')).join('');
};

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Why the request is not from this origin, or null when it is. */
const crossOriginReason = (c: Context): string | null => {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site: ${site}`;
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== new URL(c.req.url).origin) return `Origin ${origin}`;
  return null;
};

const refuse = (c: Context, reason: string) => c.text(`refused: cross-site request (${reason})`, 403);

/** Login form: no session exists yet, so only the origin checks apply. */
export const sameOriginOnly = (): MiddlewareHandler<DashboardEnv> =>
  async function sameOriginOnly(c, next) {
    if (UNSAFE.has(c.req.method)) {
      const reason = crossOriginReason(c);
      if (reason !== null) return refuse(c, reason);
    }
    await next();
  };

/** Every other form: origin checks, then the session-bound token. Runs after requireSession(). */
export const verifyCsrf = (): MiddlewareHandler<DashboardEnv> =>
  async function verifyCsrf(c, next) {
    if (!UNSAFE.has(c.req.method)) return next();
    const reason = crossOriginReason(c);
    if (reason !== null) return refuse(c, reason);
    const contentType = c.req.header('content-type') ?? '';
    const isForm = contentType.startsWith('application/x-www-form-urlencoded') || contentType.startsWith('multipart/form-data');
    const body = isForm ? await c.req.parseBody() : {};
    const token = body[CSRF_FIELD];
    if (typeof token !== 'string' || !timingSafeEqual(token, c.var.csrfToken)) return refuse(c, 'missing or wrong CSRF token');
    await next();
  };
