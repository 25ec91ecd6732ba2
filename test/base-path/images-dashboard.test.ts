import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { consumeImageBatch } from '../../src/images/queue/consumer';
import { csrfOf } from '../dashboard/helpers';
import { addMockProvider, ADMIN_TOKEN, createKey } from '../setup/seed';
import { BASE_PATH, callWorker, ORIGIN, postJson, prefixedEnv, rootRelativeLinks } from './helpers';

beforeAll(addMockProvider);

describe('image task links under the base path', () => {
  it('submit → Location → poll → result link → bytes', async () => {
    const sent: unknown[] = [];
    vi.spyOn(env.IMAGE_QUEUE, 'send').mockImplementation(async (body: unknown) => {
      sent.push(body);
      return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
    });
    const { key } = await createKey({ scopes: ['images'] });
    const submitted = await postJson(`${BASE_PATH}/v1/images/generations`, { authorization: `Bearer ${key}` }, { model: 'mock-image', prompt: 'a lighthouse' });
    expect(submitted.status).toBe(202);
    const location = submitted.headers.get('location') ?? '';
    expect(location).toMatch(/^\/llm-api\/v1\/tasks\/media_[0-9a-f]+$/);

    const batch = createMessageBatch('polyrelay-images', sent.map((body, index) => ({ id: `msg-${index}`, timestamp: Date.now(), attempts: 1, body })));
    await consumeImageBatch(batch, prefixedEnv);
    await getQueueResult(batch, createExecutionContext());

    const task = (await (await callWorker(location, { headers: { authorization: `Bearer ${key}` } })).json()) as { status: string; result: { urls: string[] } | null };
    expect(task.status).toBe('completed');
    const [url] = task.result?.urls ?? [];
    expect(url).toMatch(/^https:\/\/relay\.test\/llm-api\/v1\/files\/file_[0-9a-f]+$/);
    const file = await callWorker(url ?? '');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
  });
});

describe('dashboard under the base path', () => {
  const form = (fields: Record<string, string>, cookie = '') =>
    ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, 'sec-fetch-site': 'same-origin', cookie }, body: new URLSearchParams(fields) }) as RequestInit;

  it('logs in, scopes the cookie to the prefix and links every page under it', async () => {
    const login = await callWorker(`${BASE_PATH}/dashboard/login`, form({ token: ADMIN_TOKEN }));
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe(`${BASE_PATH}/dashboard/keys`);
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^__Secure-polyrelay_session=/);
    expect(setCookie).toContain(`Path=${BASE_PATH}/dashboard`);
    const cookie = setCookie.split(';')[0] ?? '';

    const keys = await callWorker(`${BASE_PATH}/dashboard/keys`, { headers: { cookie } });
    expect(keys.status).toBe(200);
    const html = await keys.text();
    const links = rootRelativeLinks(html);
    expect(links).toEqual(expect.arrayContaining([`${BASE_PATH}/dashboard/providers`, `${BASE_PATH}/dashboard/logout`, `${BASE_PATH}/dashboard/keys`, `${BASE_PATH}/docs`]));
    for (const link of links) expect(link.startsWith(`${BASE_PATH}/`), link).toBe(true);

    const created = await callWorker(`${BASE_PATH}/dashboard/accounts`, form({ _csrf: csrfOf(html), name: 'Prefixed' }, cookie));
    expect(created.status).toBe(303);
    expect(created.headers.get('location')).toMatch(/^\/llm-api\/dashboard\/accounts\?ok=/);

    const logout = await callWorker(`${BASE_PATH}/dashboard/logout`, form({ _csrf: csrfOf(html) }, cookie));
    expect(logout.headers.get('location')).toBe(`${BASE_PATH}/dashboard/login`);
    expect(logout.headers.get('set-cookie')).toContain(`Path=${BASE_PATH}/dashboard`);
  });

  it('a page without a session redirects to the prefixed login', async () => {
    const response = await callWorker(`${BASE_PATH}/dashboard/usage`);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${BASE_PATH}/dashboard/login`);
  });
});
