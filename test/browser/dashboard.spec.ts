import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const relayUrl = inject('relayUrl');
const adminToken = inject('adminToken');
const SCREENSHOT = '/tmp/polyrelay-dashboard-usage.png';
const DOCS_SCREENSHOT = '/tmp/polyrelay-docs.png';
const KEYS_SCREENSHOT = '/tmp/polyrelay-dashboard-new-key.png';

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
});

afterAll(async () => {
  await browser?.close();
});

const chat = (key: string) =>
  fetch(`${relayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock-1', messages: [{ role: 'user', content: 'hello from the browser test' }] }),
  });

describe('dashboard in a real browser', () => {
  let plaintext = '';

  it('logs in with the admin token', async () => {
    await page.goto(`${relayUrl}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    await page.fill('input[name=token]', 'wrong-token');
    await page.click('button[type=submit]');
    expect(await page.textContent('.flash.error')).toContain('not the admin token');
    await page.fill('input[name=token]', adminToken);
    await Promise.all([page.waitForURL('**/dashboard/keys'), page.click('button[type=submit]')]);
    const cookies = await page.context().cookies();
    const session = cookies.find((cookie) => cookie.name === '__Host-polyrelay_session');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    expect(await page.evaluate('typeof document.cookie === "string" && !document.cookie.includes("polyrelay_session")')).toBe(true);
  });

  it('creates a key, shows it once with a copy button, and lists it', async () => {
    await page.fill('input[name=name]', 'browser-key');
    await page.selectOption('select[name=plan]', 'pro');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/dashboard/keys"] button[type=submit]')]);
    plaintext = (await page.textContent('#new-key-plaintext')) ?? '';
    expect(plaintext).toMatch(/^sk-relay-[A-Za-z0-9]{40}$/);
    await page.click('button[data-copy="new-key-plaintext"]');
    // The copy handler awaits the clipboard API, so the label changes a moment after the click.
    await page.waitForFunction(`/Copied|Selected/.test(document.querySelector('button[data-copy="new-key-plaintext"]')?.textContent ?? '')`, undefined, { timeout: 5_000 });
    expect(await page.textContent('button[data-copy="new-key-plaintext"]')).toMatch(/Copied|Selected/);
    await page.screenshot({ path: KEYS_SCREENSHOT, fullPage: true });
    await page.goto(`${relayUrl}/dashboard/keys`);
    const row = page.locator('#key-list tr', { hasText: 'browser-key' });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('active');
    expect(await page.content()).not.toContain(plaintext);
  });

  it('draws the usage charts once the key has traffic', async () => {
    for (let index = 0; index < 4; index++) {
      const answer = await chat(plaintext);
      expect(answer.status).toBe(200);
      await answer.text();
    }
    // Usage reaches D1 through the queue (2 s batch window): wait for the rollup, then look at the page.
    let bars = 0;
    for (let attempt = 0; attempt < 30 && bars === 0; attempt++) {
      await page.goto(`${relayUrl}/dashboard/usage`);
      bars = await page.locator('#chart-requests svg.chart rect').count();
      if (bars === 0) await page.waitForTimeout(1_000);
    }
    expect(bars).toBeGreaterThan(0);
    expect(await page.textContent('#usage-totals')).toContain('4 requests');
    const box = await page.locator('#chart-requests svg.chart').boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(400);
    expect(box?.height ?? 0).toBeGreaterThan(100);
    expect(await page.locator('#chart-model-requests svg.chart rect').count()).toBe(1);
    expect(await page.locator('#chart-tokens svg.chart rect').count()).toBe(2);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('lists the requests, filtered on the server, and keeps the navigation on a narrow screen', async () => {
    await page.goto(`${relayUrl}/dashboard/requests`);
    await page.selectOption('#request-filter select[name=status]', 'ok');
    await Promise.all([page.waitForURL('**/dashboard/requests?*status=ok*'), page.click('#request-filter button[type=submit]')]);
    const rows = page.locator('#request-list tbody tr', { hasText: 'browser-key' });
    expect(await rows.count()).toBe(4);
    expect(await rows.first().textContent()).toContain('mock-1');
    await page.selectOption('#request-filter select[name=status]', '5xx');
    await Promise.all([page.waitForURL('**/dashboard/requests?*status=5xx*'), page.click('#request-filter button[type=submit]')]);
    expect(await page.locator('#request-list tbody tr', { hasText: 'browser-key' }).count()).toBe(0);

    // Below 600 px the navigation wraps inside the viewport instead of running off its edge.
    await page.setViewportSize({ width: 420, height: 800 });
    await page.goto(`${relayUrl}/dashboard/requests`);
    for (const link of await page.locator('header.top a').all()) {
      const box = await link.boundingBox();
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(420);
    }
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(420);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('revokes the key from the list', async () => {
    await page.goto(`${relayUrl}/dashboard/keys`);
    const row = page.locator('#key-list tr', { hasText: 'browser-key' });
    await Promise.all([page.waitForURL('**/dashboard/keys?ok=*'), row.locator('button', { hasText: 'Revoke' }).click()]);
    expect(await page.textContent('.flash.ok')).toContain('revoked');
    const revoked = page.locator('#key-list tr', { hasText: 'browser-key' });
    expect(await revoked.textContent()).toContain('revoked');
    expect(await revoked.locator('button', { hasText: 'Revoke' }).count()).toBe(0);
  });

  it('serves the onboarding page with this relay filled in', async () => {
    await page.goto(`${relayUrl}/`);
    expect(await page.textContent('#relay-base-url')).toBe(relayUrl);
    expect(await page.textContent('#code-codex-config')).toContain(`base_url = "${relayUrl}/v1"`);
    await page.screenshot({ path: DOCS_SCREENSHOT });
  });
});
