import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { admin, createKey } from '../setup/seed';
import { login, unescapeHtml } from './helpers';

interface EventFields {
  requestId: string;
  keyId: string;
  accountId: string;
  model: string;
  providerId: string | null;
  status: number;
  errorType?: string | null;
  createdAt: number;
}

const addEvent = (event: EventFields) =>
  env.DB.prepare(
    `INSERT INTO usage_events (request_id, account_id, key_id, model, provider_id, client_format, upstream_format, status, error_type, stream,
       input_tokens, output_tokens, cost_micros, latency_ms, ttfb_ms, created_at)
     VALUES (?, ?, ?, ?, ?, 'anthropic', 'openai-chat', ?, ?, 1, 120, 45, 3000, 900, 210, ?)`,
  )
    .bind(event.requestId, event.accountId, event.keyId, event.model, event.providerId, event.status, event.errorType ?? null, event.createdAt)
    .run();

const requestIdsIn = (html: string): string[] => [...html.matchAll(/<td class="small muted">(req-list-[a-z0-9-]+)<\/td>/g)].map((match) => match[1] ?? '');

describe('dashboard requests', () => {
  it('lists the newest requests first, with key name, formats, status and the error kind of a failed one, filtered on the server', async () => {
    const alpha = await createKey({ name: 'req-alpha' });
    const beta = await createKey({ name: 'req-beta' });
    const now = Date.now();
    await addEvent({ requestId: 'req-list-1', keyId: alpha.id, accountId: alpha.accountId, model: 'rl-sonnet', providerId: 'rl-anthropic', status: 200, createdAt: now - 3000 });
    await addEvent({ requestId: 'req-list-2', keyId: alpha.id, accountId: alpha.accountId, model: 'rl-gpt', providerId: 'rl-openai', status: 502, errorType: 'api_error', createdAt: now - 2000 });
    await addEvent({ requestId: 'req-list-3', keyId: beta.id, accountId: beta.accountId, model: 'rl-sonnet', providerId: 'rl-openai', status: 429, errorType: 'rate_limit', createdAt: now - 1000 });

    const session = await login();
    const all = await (await session.get('/dashboard/requests')).text();
    expect(requestIdsIn(all).slice(0, 3)).toEqual(['req-list-3', 'req-list-2', 'req-list-1']);
    expect(all).toContain('>req-alpha</a>');
    expect(all).toContain('anthropic → openai-chat');
    expect(all).toContain('<td class="small">api_error</td>');
    expect(all).toContain('href="/dashboard/requests" class="active"');

    const byKey = await (await session.get(`/dashboard/requests?keyId=${alpha.id}`)).text();
    expect(requestIdsIn(byKey)).toEqual(['req-list-2', 'req-list-1']);
    const failed = await (await session.get(`/dashboard/requests?keyId=${alpha.id}&status=error`)).text();
    expect(requestIdsIn(failed)).toEqual(['req-list-2']);
    const byModel = await (await session.get('/dashboard/requests?model=rl-sonnet')).text();
    expect(requestIdsIn(byModel)).toEqual(['req-list-3', 'req-list-1']);
    const byProvider = await (await session.get('/dashboard/requests?providerId=rl-openai&status=429')).text();
    expect(requestIdsIn(byProvider)).toEqual(['req-list-3']);
    expect(byProvider).toContain('<option value="429" selected="">');
    // A filter value with no rollup row yet stays selected, so Apply keeps it.
    expect(byProvider).toContain('<option value="rl-openai" selected="">rl-openai</option>');
  });

  it('pages to older requests by keyset, keeping the filters', async () => {
    const key = await createKey({ name: 'req-pages' });
    const start = Date.now() - 100_000;
    for (let index = 0; index < 55; index++) {
      await addEvent({ requestId: `req-list-p${String(index).padStart(2, '0')}`, keyId: key.id, accountId: key.accountId, model: 'rl-page', providerId: null, status: 200, createdAt: start + index });
    }
    const session = await login();
    const first = unescapeHtml(await (await session.get(`/dashboard/requests?keyId=${key.id}`)).text());
    expect(requestIdsIn(first)).toHaveLength(50);
    expect(requestIdsIn(first)[0]).toBe('req-list-p54');
    const older = /id="older-requests" href="([^"]+)"/.exec(first)?.[1] ?? '';
    expect(older).toContain(`keyId=${key.id}`);
    const second = await (await session.get(older)).text();
    expect(requestIdsIn(second)).toEqual(['req-list-p04', 'req-list-p03', 'req-list-p02', 'req-list-p01', 'req-list-p00']);
  });
});

describe('dashboard key form: burst and concurrency limits', () => {
  it('sets quota overrides from the form (number, none = unlimited, empty = the plan)', async () => {
    const session = await login();
    const created = await session.post('/dashboard/keys', { name: 'dash-limits', plan: 'pro', scopes: ['chat'], requestsPerMinute: '30', maxConcurrent: '2' });
    const id = /href="\/dashboard\/keys\/(key_[A-Za-z0-9]+)"/.exec(await created.text())?.[1] ?? '';
    const read = async () => ((await (await admin('GET', `/keys/${id}`)).json()) as { quotaOverrides: Record<string, number | null> | null }).quotaOverrides;
    expect(await read()).toEqual({ requestsPerMinute: 30, maxConcurrent: 2 });
    const page = await (await session.get(`/dashboard/keys/${id}`)).text();
    expect(page).toContain('name="requestsPerMinute" inputmode="numeric" value="30"');

    await session.post(`/dashboard/keys/${id}`, { name: 'dash-limits', plan: 'pro', scopes: ['chat'], requestsPer5h: 'none', maxConcurrent: '4' });
    expect(await read()).toEqual({ requestsPer5h: null, maxConcurrent: 4 });
  });
});
