import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { MAX_LOGIN_FAILURES } from '../../src/auth/login-throttle';
import type { Env } from '../../src/env';
import { fetchApp, formPost, login } from '../dashboard/helpers';
import { ADMIN_TOKEN, addMockProvider } from '../setup/seed';

const STRONG = 'Zq8v1Kp3Xw9mT4rL6nB2cY7hJ5sD0fGa';
/** A deployed relay: no DEV_MODE. */
const deployed = (adminToken: string): Env => ({ ...env, DEV_MODE: undefined, ADMIN_TOKEN: adminToken });

const adminGet = (token: string, ip: string, bindings: Env = env) =>
  fetchApp('/admin/keys', { headers: { authorization: `Bearer ${token}`, 'cf-connecting-ip': ip } }, bindings);

describe('guessing the admin token is throttled per client IP', () => {
  it(`after ${MAX_LOGIN_FAILURES} wrong tokens an address gets 429, even with the right token; other addresses are unaffected`, async () => {
    for (let i = 0; i < MAX_LOGIN_FAILURES; i++) expect((await adminGet(`guess-${i}`, '203.0.113.7')).status).toBe(401);
    const locked = await adminGet(ADMIN_TOKEN, '203.0.113.7');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await adminGet(ADMIN_TOKEN, '198.51.100.9')).status).toBe(200);
  });

  it('dashboard login attempts count too, and the lockout holds for the right token', async () => {
    const from = { 'cf-connecting-ip': '203.0.113.8' };
    for (let i = 0; i < MAX_LOGIN_FAILURES; i++) expect((await formPost('/dashboard/login', { token: `guess-${i}` }, from)).status).toBe(401);
    const locked = await formPost('/dashboard/login', { token: ADMIN_TOKEN }, from);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('set-cookie')).toBeNull();
    expect((await adminGet(ADMIN_TOKEN, '203.0.113.8')).status).toBe(429);
  });

  it('a deployment throttles callers without cf-connecting-ip in one shared bucket', async () => {
    const bindings = deployed(STRONG);
    for (let i = 0; i < MAX_LOGIN_FAILURES; i++) {
      expect((await fetchApp('/admin/keys', { headers: { authorization: `Bearer guess-${i}` } }, bindings)).status).toBe(401);
    }
    expect((await fetchApp('/admin/keys', { headers: { authorization: `Bearer ${STRONG}` } }, bindings)).status).toBe(429);
  });
});

describe('weak or example admin tokens are refused outside dev', () => {
  it.each([['the .dev.vars.example value', 'dev-admin-token-change-me'], ['a short token', 'hunter2-admin'], ['the test token', ADMIN_TOKEN]])(
    '%s: admin API 403, dashboard login disabled',
    async (_name, token) => {
      const bindings = deployed(token);
      const api = await adminGet(token, '192.0.2.50', bindings);
      expect(api.status).toBe(403);
      expect(await api.text()).toContain('ADMIN_TOKEN');
      expect((await formPost('/dashboard/login', { token }, {}, bindings)).status).toBe(403);
      expect((await fetchApp('/dashboard/login', {}, bindings)).status).toBe(403);
    },
  );

  it('a long random token works outside dev', async () => {
    expect((await adminGet(STRONG, '192.0.2.51', deployed(STRONG))).status).toBe(200);
  });
});

describe('logout revokes the session', () => {
  it('a cookie captured before logout is refused after it', async () => {
    const session = await login();
    expect((await session.get('/dashboard/keys')).status).toBe(200);
    const logout = await session.post('/dashboard/logout');
    expect(logout.status).toBe(303);
    const replay = await fetchApp('/dashboard/keys', { headers: { cookie: session.cookie } });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe('/dashboard/login');
    const write = await session.post('/dashboard/keys', { name: 'after logout', plan: 'free', scopes: 'chat' });
    expect(write.status).toBe(401);
  });

  it('another session stays valid when one logs out', async () => {
    const first = await login();
    const second = await login();
    await first.post('/dashboard/logout');
    expect((await second.get('/dashboard/keys')).status).toBe(200);
  });
});

describe('/health shows provider details only to the admin', () => {
  it('anyone gets {status}; the admin token adds the per-provider map', async () => {
    await addMockProvider();
    const open = await fetchApp('/health');
    expect(open.status).toBe(200);
    expect(await open.json()).toEqual({ status: 'ok' });
    const wrong = await fetchApp('/health', { headers: { authorization: 'Bearer guess', 'cf-connecting-ip': '192.0.2.60' } });
    expect(await wrong.json()).toEqual({ status: 'ok' });
    const admin = await fetchApp('/health', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const body = (await admin.json()) as { status: string; providers: Record<string, unknown> };
    expect(body.status).toBe('ok');
    expect(Object.keys(body.providers)).toContain('mock');
  });
});
