import { env } from 'cloudflare:workers';
import { generateSignedCookie } from 'hono/cookie';
import { describe, expect, it } from 'vitest';
import { derivedSecret } from '../../src/dashboard/session';
import { ADMIN_TOKEN } from '../setup/seed';
import { fetchApp, formPost, login, ORIGIN } from './helpers';

const HOST_COOKIE = { secure: true, path: '/' } as const;

const keyCount = async (): Promise<number> => (await env.DB.prepare('SELECT COUNT(*) AS n FROM api_keys').first<{ n: number }>())?.n ?? 0;

describe('dashboard login and session', () => {
  it('sends every page to the login form without a session', async () => {
    for (const path of ['/dashboard', '/dashboard/keys', '/dashboard/providers', '/dashboard/usage', '/dashboard/usage/export.csv', '/dashboard/images']) {
      const response = await fetchApp(path);
      expect(response.status, path).toBe(303);
      expect(response.headers.get('location')).toBe('/dashboard/login');
    }
    expect((await formPost('/dashboard/keys', { name: 'x' })).status).toBe(401);
  });

  it('refuses a wrong token and sets no cookie', async () => {
    const response = await formPost('/dashboard/login', { token: 'not-the-token' });
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.text()).toContain('That is not the admin token.');
  });

  it('sets an HttpOnly, Secure, SameSite=Strict, host-only session cookie', async () => {
    const response = await formPost('/dashboard/login', { token: ADMIN_TOKEN });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/dashboard/keys');
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^__Host-polyrelay_session=/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; Max-Age=43200/);
    expect(cookie).not.toContain(ADMIN_TOKEN);
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it('accepts the session on later pages and sends no-store and a strict CSP', async () => {
    const session = await login();
    const page = await session.get('/dashboard/keys');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('Create a key');
  });

  it('rejects a forged, a tampered and an expired session cookie', async () => {
    const session = await login();
    const tampered = session.cookie.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'));
    const secret = await derivedSecret(ADMIN_TOKEN, 'polyrelay dashboard session v1');
    const expired = (await generateSignedCookie('__Host-polyrelay_session', `${Date.now() - 1000}.${'a'.repeat(36)}`, secret, HOST_COOKIE)).split(';')[0] ?? '';
    const wrongSecret = (await generateSignedCookie('__Host-polyrelay_session', `${Date.now() + 60_000}.${'a'.repeat(36)}`, 'guess', HOST_COOKIE)).split(';')[0] ?? '';
    for (const cookie of [tampered, expired, wrongSecret, '__Host-polyrelay_session=abc']) {
      const response = await fetchApp('/dashboard/keys', { headers: { cookie } });
      expect(response.status, cookie).toBe(303);
    }
  });

  it('refuses a login posted from another site', async () => {
    const response = await formPost('/dashboard/login', { token: ADMIN_TOKEN }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('logs out by clearing the cookie', async () => {
    const session = await login();
    const response = await session.post('/dashboard/logout');
    expect(response.status).toBe(303);
    expect(response.headers.get('set-cookie')).toMatch(/^__Host-polyrelay_session=; Max-Age=0/);
  });

  it('is disabled when ADMIN_TOKEN is unset', async () => {
    const bindings = { ...env, ADMIN_TOKEN: undefined };
    const page = await fetchApp('/dashboard/login', {}, bindings);
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('set the ADMIN_TOKEN secret');
    expect((await formPost('/dashboard/login', { token: '' }, {}, bindings)).status).toBe(403);
  });
});

describe('dashboard CSRF protection', () => {
  it('refuses a form without the CSRF token, with a wrong one, or from another origin', async () => {
    const session = await login();
    const before = await keyCount();
    const cases: Array<{ fields: Record<string, string>; headers: Record<string, string> }> = [
      { fields: { _csrf: '' }, headers: {} },
      { fields: { _csrf: '0'.repeat(64) }, headers: {} },
      { fields: {}, headers: { origin: 'https://evil.example' } },
      { fields: {}, headers: { 'sec-fetch-site': 'cross-site' } },
      { fields: {}, headers: { 'sec-fetch-site': 'same-site' } },
    ];
    for (const { fields, headers } of cases) {
      const response = await session.post('/dashboard/keys', { name: 'csrf victim', scopes: 'chat', ...fields }, headers);
      expect(response.status, JSON.stringify({ fields, headers })).toBe(403);
      expect(await response.text()).toContain('refused: cross-site request');
    }
    expect(await keyCount()).toBe(before);
  });

  it('binds the token to the session: another session cannot replay it', async () => {
    const first = await login();
    const second = await login();
    expect(second.csrf).not.toBe(first.csrf);
    const response = await formPost('/dashboard/keys', { _csrf: first.csrf, name: 'replayed', scopes: 'chat' }, { cookie: second.cookie });
    expect(response.status).toBe(403);
  });

  it('accepts a same-origin form with the right token', async () => {
    const session = await login();
    const response = await session.post('/dashboard/keys', { name: 'csrf ok', scopes: 'chat', plan: 'free' }, { origin: ORIGIN });
    expect(response.status).toBe(201);
  });
});
