import { describe, expect, it } from 'vitest';
import { enforceProductionD1Limits, statementsPreparedDuring } from '../setup/d1-limits';
import { admin } from '../setup/seed';
import { flashOf, login, unescapeHtml } from './helpers';

const ID = 'dash-fleet';
const name = (index: number) => `fleet/dash-${String(index).padStart(4, '0')}`;
/** A gateway's catalog: most models plain, some renamed, some with declared limits. */
const entry = (index: number) => {
  if (index % 7 === 0) return { name: name(index), upstream: `vendor/dash-${index}`, contextWindow: 200_000, maxOutputTokens: 8_192 };
  if (index % 11 === 0) return { name: name(index), maxOutputTokens: 16_384, outputTokenField: 'max_completion_tokens' };
  return name(index);
};
const CATALOG = Array.from({ length: 1_000 }, (_, index) => entry(index));

describe('dashboard with a 1,000-model provider', () => {
  enforceProductionD1Limits();

  it('renders the provider pages, shows the limits and saves the form back unchanged', async () => {
    const created = await admin('POST', '/providers', { id: ID, protocol: 'openai-chat', baseUrl: 'https://fleet.example/v1', models: CATALOG, maxRetries: 3 });
    expect(created.status).toBe(201);
    const session = await login();

    let detail = '';
    const queries = await statementsPreparedDuring(async () => {
      detail = unescapeHtml(await (await session.get(`/dashboard/providers/${ID}`)).text());
    });
    expect(queries).toBeLessThan(10);
    const textarea = /<textarea name="models"[^>]*>([\s\S]*?)<\/textarea>/.exec(detail)?.[1]?.trim() ?? '';
    const lines = textarea.split('\n');
    expect(lines).toHaveLength(1_000);
    expect(lines[0]).toBe(`${name(0)}=vendor/dash-0 context=200000 max_output=8192`);
    expect(lines[11]).toBe(`${name(11)} max_output=16384 field=max_completion_tokens`);
    expect(lines[1]).toBe(name(1));
    expect(detail).toMatch(/name="maxRetries" inputmode="numeric" value="3"/);

    const list = unescapeHtml(await (await session.get('/dashboard/providers')).text());
    expect(list).toContain(`1,000 models: ${name(0)}, ${name(1)}, ${name(2)}, ${name(3)}, ${name(4)}, …`);
    expect(list).not.toContain(name(999));

    const models = unescapeHtml(await (await session.get('/dashboard/models')).text());
    expect(models).toContain(`${ID} → vendor/dash-7 (context 200,000 · output 8,192)`);
    expect(models).toContain(name(999));

    const saved = await session.post(`/dashboard/providers/${ID}`, { protocol: 'openai-chat', baseUrl: 'https://fleet.example/v1', models: textarea, priority: '0', weight: '1', maxRetries: '1', enabled: 'on' });
    expect(flashOf(saved)).toEqual({ kind: 'ok', message: 'Provider updated.' });
    const view = (await (await admin('GET', `/providers/${ID}`)).json()) as { models: unknown[]; maxRetries: number };
    expect(view.models).toEqual(CATALOG);
    expect(view.maxRetries).toBe(1);
  });

  it('reports a model line the admin API refuses', async () => {
    const session = await login();
    const response = await session.post(`/dashboard/providers/${ID}`, { protocol: 'openai-chat', baseUrl: 'https://fleet.example/v1', models: `${name(1)} context=lots`, enabled: 'on' });
    expect(flashOf(response)).toEqual({ kind: 'error', message: expect.stringContaining('contextWindow') });
  });
});
