import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { admin, callRelay, createKey } from '../setup/seed';

describe('admin API', () => {
  it('requires the admin token', async () => {
    expect((await callRelay('/admin/keys')).status).toBe(401);
    expect((await callRelay('/admin/keys', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('creates a key whose plaintext is shown once and stored only as a hash', async () => {
    const created = await createKey({ name: 'alice', plan: 'pro', scopes: ['chat', 'images'] });
    expect(created.key).toMatch(/^sk-relay-[A-Za-z0-9]{40}$/);
    const rows = await env.DB.prepare('SELECT * FROM api_keys WHERE id = ?').bind(created.id).all();
    expect(JSON.stringify(rows.results)).not.toContain(created.key);
    const listed = await (await admin('GET', '/keys')).json();
    expect(JSON.stringify(listed)).not.toContain(created.key);
    const updated = await admin('PATCH', `/keys/${created.id}`, { plan: 'max5x', models: ['mock-1'] });
    expect(await updated.json()).toMatchObject({ plan: 'max5x', models: ['mock-1'] });
    const revoked = await admin('DELETE', `/keys/${created.id}`);
    expect(((await revoked.json()) as { revokedAt: string | null }).revokedAt).not.toBeNull();
  });

  it('validates bodies with a 400 naming the field', async () => {
    const response = await admin('POST', '/keys', { name: 'x', plan: 'gold' });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('plan');
  });

  it('stores upstream keys encrypted and never returns them', async () => {
    const created = await admin('POST', '/providers', {
      id: 'openai-main',
      protocol: 'openai-chat',
      baseUrl: 'https://api.openai.com/v1',
      apiKey: 'sk-upstream-secret-123',
      models: ['gpt-x', { name: 'fast', upstream: 'gpt-x-mini' }],
      headers: { 'x-org': 'secret-org' },
    });
    expect(created.status).toBe(201);
    const body = JSON.stringify(await created.json());
    expect(body).not.toContain('sk-upstream-secret-123');
    expect(body).not.toContain('secret-org');
    const stored = await env.DB.prepare('SELECT api_key_encrypted FROM providers WHERE id = ?').bind('openai-main').first<{ api_key_encrypted: string }>();
    expect(stored?.api_key_encrypted).toBeTruthy();
    expect(stored?.api_key_encrypted).not.toContain('sk-upstream');
    const listed = JSON.stringify(await (await admin('GET', '/providers')).json());
    expect(listed).not.toContain('sk-upstream-secret-123');
    expect(listed).toContain('"fast"');
    expect((await admin('POST', '/providers', { id: 'openai-main', protocol: 'openai-chat', baseUrl: 'https://x.test/v1', models: ['a'] })).status).toBe(409);
    const patched = await admin('PATCH', '/providers/openai-main', { enabled: false, models: ['gpt-y'] });
    expect(await patched.json()).toMatchObject({ enabled: false, models: ['gpt-y'] });
    expect((await admin('DELETE', '/providers/openai-main')).status).toBe(200);
    expect((await admin('GET', '/providers/openai-main')).status).toBe(404);
  });

  it('refuses a provider baseUrl that is not http(s)', async () => {
    const response = await admin('POST', '/providers', { id: 'bad', protocol: 'anthropic', baseUrl: 'file:///etc/passwd', models: ['m'] });
    expect(response.status).toBe(400);
  });
});
