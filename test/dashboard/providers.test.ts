import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { admin } from '../setup/seed';
import { flashOf, login } from './helpers';

const UPSTREAM_KEY = 'sk-upstream-DASHBOARD-secret-9f8e7d';

const storedKey = async (id: string): Promise<string | null> =>
  (await env.DB.prepare('SELECT api_key_encrypted FROM providers WHERE id = ?').bind(id).first<{ api_key_encrypted: string | null }>())?.api_key_encrypted ?? null;

describe('dashboard providers', () => {
  it('adds a provider and never renders its upstream key', async () => {
    const session = await login();
    const added = await session.post('/dashboard/providers', {
      id: 'dash-openai',
      protocol: 'openai-chat',
      baseUrl: 'https://api.openai.example/v1',
      apiKey: UPSTREAM_KEY,
      models: 'gpt-dash\nfast=gpt-dash-mini',
      priority: '2',
      weight: '3',
      enabled: 'on',
    });
    expect(flashOf(added)).toEqual({ kind: 'ok', message: 'Provider dash-openai added.' });
    const view = (await (await admin('GET', '/providers/dash-openai')).json()) as Record<string, unknown>;
    expect(view).toMatchObject({ protocol: 'openai-chat', priority: 2, weight: 3, hasApiKey: true, models: ['gpt-dash', { name: 'fast', upstream: 'gpt-dash-mini' }] });
    const sealed = await storedKey('dash-openai');
    expect(sealed).not.toBeNull();
    for (const path of ['/dashboard/providers', '/dashboard/providers/dash-openai', '/dashboard/models']) {
      const html = await (await session.get(path)).text();
      expect(html, path).not.toContain(UPSTREAM_KEY);
      expect(html, path).not.toContain(sealed ?? '?');
    }
    const detail = await (await session.get('/dashboard/providers/dash-openai')).text();
    expect(detail).toContain('<input name="apiKey" type="password" autocomplete="off"/>');
    expect(detail).toContain('stored; leave empty to keep it');
    expect(await (await session.get('/dashboard/providers')).text()).toContain('healthy');
  });

  it('edits a provider, keeping the stored key when the field is left empty', async () => {
    const session = await login();
    await session.post('/dashboard/providers', { id: 'dash-edit', protocol: 'anthropic', baseUrl: 'https://anthropic.example', apiKey: UPSTREAM_KEY, models: 'claude-dash', enabled: 'on' });
    const before = await storedKey('dash-edit');
    const edited = await session.post('/dashboard/providers/dash-edit', { protocol: 'anthropic', baseUrl: 'https://anthropic.example/proxy', apiKey: '', models: 'claude-dash, claude-dash-2', priority: '0', weight: '1', enabled: 'on' });
    expect(flashOf(edited)?.kind).toBe('ok');
    expect(await storedKey('dash-edit')).toBe(before);
    const view = (await (await admin('GET', '/providers/dash-edit')).json()) as Record<string, unknown>;
    expect(view).toMatchObject({ baseUrl: 'https://anthropic.example/proxy', models: ['claude-dash', 'claude-dash-2'], enabled: true });
    // Another origin needs the key typed again: the stored one was entered for anthropic.example.
    const moved = await session.post('/dashboard/providers/dash-edit', { protocol: 'anthropic', baseUrl: 'https://anthropic2.example', apiKey: '', models: 'claude-dash', priority: '0', weight: '1', enabled: 'on' });
    expect(flashOf(moved)).toEqual({ kind: 'error', message: expect.stringContaining('apiKey') });
    expect(await storedKey('dash-edit')).toBe(before);
  });

  it('disables, enables and deletes a provider', async () => {
    const session = await login();
    await session.post('/dashboard/providers', { id: 'dash-toggle', protocol: 'gemini', baseUrl: 'https://gemini.example', models: 'gem-dash', enabled: 'on' });
    await session.post('/dashboard/providers/dash-toggle/enabled', { enabled: 'false' });
    expect(((await (await admin('GET', '/providers/dash-toggle')).json()) as { enabled: boolean }).enabled).toBe(false);
    expect(await (await session.get('/dashboard/providers')).text()).toContain('disabled');
    await session.post('/dashboard/providers/dash-toggle/enabled', { enabled: 'true' });
    expect(((await (await admin('GET', '/providers/dash-toggle')).json()) as { enabled: boolean }).enabled).toBe(true);
    const deleted = await session.post('/dashboard/providers/dash-toggle/delete');
    expect(flashOf(deleted)?.kind).toBe('ok');
    expect((await admin('GET', '/providers/dash-toggle')).status).toBe(404);
  });

  it('reports a bad base URL from the admin validation', async () => {
    const session = await login();
    const response = await session.post('/dashboard/providers', { id: 'dash-bad', protocol: 'openai-chat', baseUrl: 'ftp://nope', models: 'x', enabled: 'on' });
    expect(flashOf(response)).toEqual({ kind: 'error', message: expect.stringContaining('baseUrl') });
  });
});
