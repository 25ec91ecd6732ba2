import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { addMockProvider, admin, callRelay, jsonPost } from '../setup/seed';
import { flashOf, login, unescapeHtml } from './helpers';

interface KeyJson {
  id: string;
  name: string;
  plan: string;
  scopes: string[];
  models: string[] | null;
  monthlySpendCap: number | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

const PLAINTEXT = /sk-relay-[A-Za-z0-9]{40}/g;

const createThroughDashboard = async (fields: Record<string, string | string[]>) => {
  const session = await login();
  const response = await session.post('/dashboard/keys', fields);
  const html = await response.text();
  const id = /data-key-id="(key_[A-Za-z0-9]+)"/.exec(html.slice(html.indexOf('id="created-key"')))?.[1];
  const linked = /href="\/dashboard\/keys\/(key_[A-Za-z0-9]+)"/.exec(html)?.[1];
  return { session, response, html, id: linked ?? id ?? '' };
};

const keyJson = async (id: string): Promise<KeyJson> => (await (await admin('GET', `/keys/${id}`)).json()) as KeyJson;

describe('dashboard keys', () => {
  it('shows a new key in plain text once, with a copy button, and never again', async () => {
    const { session, response, html, id } = await createThroughDashboard({ name: 'dash-once', plan: 'pro', scopes: ['chat', 'images'] });
    expect(response.status).toBe(201);
    const shown = [...new Set(html.match(PLAINTEXT) ?? [])];
    expect(shown).toHaveLength(1);
    const plaintext = shown[0] ?? '';
    expect(html).toContain(`<code id="new-key-plaintext">${plaintext}</code>`);
    expect(html).toContain('data-copy="new-key-plaintext"');
    expect(response.headers.get('cache-control')).toBe('no-store');

    // The key works at once, and no later page ever shows it again.
    expect((await callRelay('/v1/models', { headers: { authorization: `Bearer ${plaintext}` } })).status).toBe(200);
    for (const path of ['/dashboard/keys', `/dashboard/keys/${id}`, '/dashboard/usage']) {
      const page = await (await session.get(path)).text();
      expect(page, path).not.toContain(plaintext);
    }
    const list = await (await session.get('/dashboard/keys')).text();
    expect(list).toContain('dash-once');
    expect(list).toContain(plaintext.slice(0, 15));
  });

  it('creates with plan, scopes, models, spend cap, expiry and an existing account', async () => {
    const account = (await (await admin('POST', '/accounts', { name: 'Dash Co' })).json()) as { id: string };
    const { id } = await createThroughDashboard({
      name: 'dash-full',
      accountId: account.id,
      plan: 'max5x',
      billing: 'prepaid',
      scopes: ['images'],
      models: 'mock-1, mock-2',
      monthlySpendCap: '12.5',
      expiresAt: '2030-01-02T03:04',
    });
    expect(await keyJson(id)).toMatchObject({
      name: 'dash-full',
      plan: 'max5x',
      scopes: ['images'],
      models: ['mock-1', 'mock-2'],
      monthlySpendCap: 12.5,
      expiresAt: '2030-01-02T03:04:00.000Z',
    });
    const row = await env.DB.prepare('SELECT account_id FROM api_keys WHERE id = ?').bind(id).first<{ account_id: string }>();
    expect(row?.account_id).toBe(account.id);
  });

  it("reports the admin API's validation message as a flash", async () => {
    const session = await login();
    const response = await session.post('/dashboard/keys', { name: 'no scopes', plan: 'free' });
    expect(response.status).toBe(303);
    expect(flashOf(response)).toEqual({ kind: 'error', message: expect.stringContaining('scopes') });
    const page = await session.get(response.headers.get('location') ?? '');
    expect(unescapeHtml(await page.text())).toContain(flashOf(response)?.message ?? '?');
  });

  it('edits plan, scopes, models and spend cap, and clears them again', async () => {
    const { session, id } = await createThroughDashboard({ name: 'dash-edit', plan: 'free', scopes: 'chat' });
    const edited = await session.post(`/dashboard/keys/${id}`, { name: 'dash-edited', plan: 'max20x', billing: 'subscription', scopes: ['chat', 'images'], models: 'a\nb', monthlySpendCap: '3' });
    expect(flashOf(edited)).toEqual({ kind: 'ok', message: 'Key updated.' });
    expect(await keyJson(id)).toMatchObject({ name: 'dash-edited', plan: 'max20x', scopes: ['chat', 'images'], models: ['a', 'b'], monthlySpendCap: 3 });
    await session.post(`/dashboard/keys/${id}`, { name: 'dash-edited', plan: 'max20x', billing: 'subscription', scopes: 'chat', models: '', monthlySpendCap: '' });
    expect(await keyJson(id)).toMatchObject({ scopes: ['chat'], models: null, monthlySpendCap: null });
  });

  it('revokes a key: it stops working and shows as revoked', async () => {
    const { session, html, id } = await createThroughDashboard({ name: 'dash-revoke', plan: 'free', scopes: 'chat' });
    const plaintext = html.match(PLAINTEXT)?.[0] ?? '';
    const revoked = await session.post(`/dashboard/keys/${id}/revoke`);
    expect(flashOf(revoked)?.kind).toBe('ok');
    expect((await keyJson(id)).revokedAt).not.toBeNull();
    expect((await callRelay('/v1/models', { headers: { authorization: `Bearer ${plaintext}` } })).status).toBe(401);
    const row = (await (await session.get('/dashboard/keys')).text()).split(`data-key-id="${id}"`)[1]?.split('</tr>')[0] ?? '';
    expect(row).toContain('revoked');
    expect(row).not.toContain('Revoke</button>');
  });

  it('shows quota status with used requests and reset times', async () => {
    await addMockProvider();
    const { session, html, id } = await createThroughDashboard({ name: 'dash-quota', plan: 'free', scopes: 'chat' });
    const plaintext = html.match(PLAINTEXT)?.[0] ?? '';
    const fresh = await (await session.get(`/dashboard/keys/${id}`)).text();
    expect(fresh).toContain('5h: 0/40');
    expect(fresh).toContain('week: 0/200');
    const answer = await jsonPost('/v1/chat/completions', plaintext, { model: 'mock-1', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.status).toBe(200);
    await answer.text();
    const used = await (await session.get(`/dashboard/keys/${id}`)).text();
    expect(used).toContain('5h: 1/40');
    expect(used).toMatch(/resets \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z/);
    const reset = await session.post(`/dashboard/keys/${id}/reset-quota`);
    expect(flashOf(reset)?.kind).toBe('ok');
    expect(await (await session.get(`/dashboard/keys/${id}`)).text()).toContain('5h: 0/40');
  });
});
