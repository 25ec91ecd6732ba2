import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHarness } from 'wrangler';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN_TOKEN = 'browser-base-path-admin-token';
const BASE_PATH = '/llm-api';

/** A second relay, started with BASE_PATH, as a Workers route `example.com/llm-api*` would run it (issue 22). */
const server = createTestHarness({
  root,
  workers: [
    {
      configPath: 'wrangler.toml',
      secrets: { ADMIN_TOKEN, ENCRYPTION_KEY: 'browser-base-path-encryption-key', WEBHOOK_SECRET: 'browser-base-path-webhook-secret' },
      vars: { DEV_MODE: 'true', ENABLE_MOCK_PROVIDER: 'true', BASE_PATH },
    },
  ],
});

let origin = '';
let browser: Browser | undefined;
let page: Page;
/** Every URL the page navigated to or fetched from this relay, in order. */
const visited: string[] = [];

const pathOf = (url: string) => new URL(url).pathname;
const underBasePath = (url: string) => {
  const pathname = pathOf(url);
  return pathname === BASE_PATH || pathname.startsWith(`${BASE_PATH}/`);
};

beforeAll(async () => {
  origin = (await server.listen()).url.toString().replace(/\/$/, '');
  await server.getWorker().applyD1Migrations('DB');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  page.on('request', (request) => {
    if (request.url().startsWith(origin)) visited.push(request.url());
  });
});

afterAll(async () => {
  await browser?.close();
  await server.close();
});

describe('dashboard under BASE_PATH=/llm-api in a real browser', () => {
  it('logs in at /llm-api/dashboard with a session cookie scoped to /llm-api/dashboard', async () => {
    await page.goto(`${origin}${BASE_PATH}/dashboard`);
    expect(pathOf(page.url())).toBe(`${BASE_PATH}/dashboard/login`);
    await page.fill('input[name=token]', ADMIN_TOKEN);
    await Promise.all([page.waitForURL(`**${BASE_PATH}/dashboard/keys`), page.click('button[type=submit]')]);
    const cookies = await page.context().cookies();
    expect(cookies.find((cookie) => cookie.name === '__Host-polyrelay_session')).toBeUndefined();
    const session = cookies.find((cookie) => cookie.name === '__Secure-polyrelay_session');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: `${BASE_PATH}/dashboard` });
  });

  it('follows the navigation links and stays under /llm-api', async () => {
    for (const [label, target] of [
      ['Providers', '/dashboard/providers'],
      ['Usage', '/dashboard/usage'],
      ['Requests', '/dashboard/requests'],
      ['Keys', '/dashboard/keys'],
    ] as const) {
      const link = page.locator('header.top a', { hasText: label }).first();
      expect(await link.getAttribute('href')).toBe(`${BASE_PATH}${target}`);
      await Promise.all([page.waitForURL(`**${BASE_PATH}${target}`), link.click()]);
      expect(pathOf(page.url())).toBe(`${BASE_PATH}${target}`);
      expect(await page.locator('header.top a.active').textContent()).toContain(label);
    }
    // No link or form on the page points outside the prefix.
    const targets = await page.evaluate(() =>
      [...document.querySelectorAll('a[href], form[action], link[href], script[src]')].map(
        (element) => (element as HTMLAnchorElement).href || (element as HTMLFormElement).action || (element as HTMLScriptElement).src,
      ),
    );
    const local = targets.filter((url) => url.startsWith(origin));
    expect(local.length).toBeGreaterThan(0);
    expect(local.filter((url) => !underBasePath(url))).toEqual([]);
  });

  it('creates a key through the form post and lands back under /llm-api', async () => {
    const form = page.locator(`form[action="${BASE_PATH}/dashboard/keys"]`);
    expect(await form.count()).toBe(1);
    await page.fill('input[name=name]', 'base-path-key');
    await Promise.all([page.waitForLoadState('load'), form.locator('button[type=submit]').click()]);
    expect(underBasePath(page.url())).toBe(true);
    expect(await page.textContent('#new-key-plaintext')).toMatch(/^sk-relay-[A-Za-z0-9]{40}$/);
    await page.goto(`${origin}${BASE_PATH}/dashboard/keys`);
    const row = page.locator('#key-list tr', { hasText: 'base-path-key' });
    expect(await row.count()).toBe(1);
    await Promise.all([page.waitForURL(`**${BASE_PATH}/dashboard/keys/*`), row.locator('a', { hasText: 'base-path-key' }).click()]);
    expect(pathOf(page.url())).toMatch(new RegExp(`^${BASE_PATH}/dashboard/keys/[^/]+$`));
  });

  it('every URL the browser requested stayed under /llm-api', () => {
    expect(visited.length).toBeGreaterThan(5);
    expect(visited.filter((url) => !underBasePath(url))).toEqual([]);
  });

  it('answers 404 for /dashboard at the root', async () => {
    const response = await page.goto(`${origin}/dashboard`);
    expect(response?.status()).toBe(404);
    const login = await fetch(`${origin}/dashboard/login`, { redirect: 'manual' });
    expect(login.status).toBe(404);
    await login.text();
  });
});
