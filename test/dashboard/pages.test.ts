import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { putTask } from '../../src/images/tasks/task-store';
import type { ImageTask } from '../../src/images/tasks/task';
import { admin, createKey } from '../setup/seed';
import { fetchApp, flashOf, formPost, login, unescapeHtml } from './helpers';

const today = new Date().toISOString().slice(0, 10);
const daysAgo = (count: number) => new Date(Date.now() - count * 86_400_000).toISOString().slice(0, 10);

const addRollup = async (day: string, keyId: string, accountId: string, model: string, requests: number, costMicros: number) => {
  await env.DB.prepare(
    'INSERT INTO usage_daily (day, key_id, model, account_id, requests, input_tokens, output_tokens, cost_micros) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)',
  )
    .bind(day, keyId, model, accountId, requests, requests * 100, requests * 10, costMicros)
    .run();
};

describe('dashboard models and prices', () => {
  it('sets and removes a price through the admin price handler', async () => {
    const session = await login();
    const saved = await session.post('/dashboard/models/prices', { model: 'vendor/dash-model', inputPerMillion: '3', outputPerMillion: '15', cacheReadPerMillion: '0.3' });
    expect(flashOf(saved)).toEqual({ kind: 'ok', message: 'Price of vendor/dash-model saved.' });
    const price = (await (await admin('GET', '/prices/vendor/dash-model')).json()) as Record<string, number>;
    expect(price).toMatchObject({ inputPerMillion: 3, outputPerMillion: 15, cacheReadPerMillion: 0.3, cacheWritePerMillion: 3 });
    const page = await (await session.get('/dashboard/models')).text();
    expect(page).toContain('vendor/dash-model');
    expect(page).toContain('$15');
    await session.post('/dashboard/models/prices/delete', { model: 'vendor/dash-model' });
    expect((await admin('GET', '/prices/vendor/dash-model')).status).toBe(404);
    const bad = await session.post('/dashboard/models/prices', { model: 'x', inputPerMillion: 'cheap', outputPerMillion: '1' });
    expect(flashOf(bad)?.kind).toBe('error');
  });
});

describe('dashboard accounts', () => {
  it('creates an account, tops it up once per reference and shows the ledger', async () => {
    const session = await login();
    await session.post('/dashboard/accounts', { name: 'Dash Balance Co' });
    const account = (await env.DB.prepare("SELECT id FROM accounts WHERE name = 'Dash Balance Co'").first<{ id: string }>())?.id ?? '';
    expect(account).not.toBe('');
    const first = await session.post(`/dashboard/accounts/${account}/topup`, { amount: '25', reference: 'invoice-dash-1' });
    expect(flashOf(first)).toEqual({ kind: 'ok', message: 'Credit added.' });
    const again = await session.post(`/dashboard/accounts/${account}/topup`, { amount: '25', reference: 'invoice-dash-1' });
    expect(flashOf(again)?.message).toContain('already applied');
    const page = await (await session.get(`/dashboard/accounts/${account}`)).text();
    expect(page).toContain('$25.00');
    expect(page).toContain('invoice-dash-1');
    expect(page).toContain('equals ledger sum');
    expect(await (await session.get('/dashboard/accounts')).text()).toContain('Dash Balance Co');
  });
});

describe('dashboard usage', () => {
  it('draws requests, tokens and cost per day and per model as SVG, filtered by key, model and range', async () => {
    const key = await createKey({ name: 'usage-dash' });
    await addRollup(today, key.id, key.accountId, 'dash-alpha', 5, 2_500_000);
    await addRollup(daysAgo(2), key.id, key.accountId, 'dash-beta', 3, 500_000);
    await addRollup(daysAgo(40), key.id, key.accountId, 'dash-alpha', 7, 1_000_000);
    const session = await login();
    const html = await (await session.get(`/dashboard/usage?keyId=${key.id}`)).text();
    for (const id of ['chart-requests', 'chart-tokens', 'chart-cost', 'chart-model-requests', 'chart-model-tokens', 'chart-model-cost']) expect(html).toContain(`id="${id}"`);
    expect(html.match(/<svg class="chart"/g)?.length).toBe(6);
    expect(html).toContain(`<title>${today} · requests: 5</title>`);
    expect(html).toContain(`<title>${daysAgo(2)} · requests: 3</title>`);
    expect(html).toContain('<title>dash-alpha: 5</title>');
    expect(html).toContain('<strong>8</strong> requests');
    expect(html).toContain('<strong>$3.00</strong>');

    const wide = await (await session.get(`/dashboard/usage?keyId=${key.id}&from=${daysAgo(60)}&to=${today}`)).text();
    expect(wide).toContain('<strong>15</strong> requests');
    const oneModel = await (await session.get(`/dashboard/usage?keyId=${key.id}&model=dash-beta`)).text();
    expect(oneModel).toContain('<strong>3</strong> requests');

    const bad = unescapeHtml(await (await session.get('/dashboard/usage?from=2026-02-30')).text());
    expect(bad).toContain('from: must be a calendar day');
    expect(bad).toContain('<svg class="chart"');
  });

  it('exports CSV with the session (the bearer-token endpoint, proxied) and not without it', async () => {
    const session = await login();
    const html = await (await session.get(`/dashboard/usage?from=${daysAgo(3)}&to=${today}`)).text();
    const link = unescapeHtml(/id="csv-export" href="([^"]+)"/.exec(html)?.[1] ?? '');
    expect(link).toBe(`/dashboard/usage/export.csv?from=${daysAgo(3)}&to=${today}`);
    const csv = await session.get(link);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(csv.headers.get('content-disposition')).toContain('attachment');
    expect((await csv.text()).split('\r\n')[0]).toMatch(/^request_id,created_at,account_id,key_id,model/);
    expect((await fetchApp(link)).status).toBe(303);
  });
});

const task = (overrides: Partial<ImageTask>): ImageTask => ({
  id: `media_${crypto.randomUUID().replaceAll('-', '')}`,
  accountId: 'acct_dash',
  keyId: 'key_dash',
  billing: 'subscription',
  model: 'dash-image',
  request: { prompt: 'a cat', size: '1:1', resolution: '1k', n: 1, imageUrls: [], webhookUrl: null },
  status: 'completed',
  createdAt: Date.now(),
  updatedAt: Date.now(),
  attempts: 1,
  chargeMicros: 12_000,
  charged: false,
  result: { urls: ['https://relay.test/v1/files/file_abc'] },
  error: null,
  fileOrigin: 'https://relay.test',
  requestHash: 'hash',
  webhook: null,
  ...overrides,
});

describe('dashboard image tasks', () => {
  it('lists tasks with status, and queues a dead-lettered webhook again', async () => {
    const done = task({});
    const dead = task({ status: 'failed', result: null, error: { code: 'upstream_error', message: 'boom' }, webhook: { url: 'https://hooks.example/x', state: 'dead_lettered', attempts: [] } });
    await putTask(env, done);
    await putTask(env, dead);
    const session = await login();
    const list = await (await session.get('/dashboard/images')).text();
    expect(list).toContain(done.id);
    expect(list).toContain('completed');
    expect(list).toContain('upstream_error: boom');
    expect(list).toContain('$0.01200');
    const lookup = await (await session.get(`/dashboard/images?id=${dead.id}`)).text();
    expect(lookup).toContain('Retry webhook');
    expect(lookup).not.toContain(done.id);

    const sent: unknown[] = [];
    const queue: Queue<unknown> = {
      send: async (message) => {
        sent.push(message);
        return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
      },
      sendBatch: async () => ({ metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } }),
      metrics: async () => ({ backlogCount: 0, backlogBytes: 0 }),
    };
    const bindings = { ...env, IMAGE_QUEUE: queue };
    const retried = await formPost('/dashboard/images/retry-webhook', { _csrf: session.csrf, taskId: dead.id }, { cookie: session.cookie }, bindings);
    expect(flashOf(retried)?.kind).toBe('ok');
    expect(sent).toEqual([{ kind: 'webhook', taskId: dead.id }]);
    const refused = await formPost('/dashboard/images/retry-webhook', { _csrf: session.csrf, taskId: done.id }, { cookie: session.cookie }, bindings);
    expect(flashOf(refused)?.kind).toBe('error');
    expect(sent).toHaveLength(1);
  });
});
