import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { configOf, type Env } from '../../src/env';
import { unescapeHtml, login } from '../dashboard/helpers';
import { addMockProvider, admin, callRelay, createKey } from '../setup/seed';

const get = (path: string, key: string) => callRelay(path, { headers: { authorization: `Bearer ${key}` } });

describe('wildcard routes are first-class', () => {
  it('GET /v1/models/{id} and /v1beta/models/{model} answer for any name a wildcard serves', async () => {
    await addMockProvider();
    const { key } = await createKey();
    const model = await get('/v1/models/mock-1', key);
    expect(model.status).toBe(200);
    expect(await model.json()).toMatchObject({ id: 'mock-1', object: 'model', type: 'model' });
    const gemini = await get('/v1beta/models/mock-1', key);
    expect(gemini.status).toBe(200);
    expect(await gemini.json()).toMatchObject({ name: 'models/mock-1' });
    expect((await get('/v1/models/not-served-anywhere', key)).status).toBe(404);
  });

  it('lists a wildcard as its pattern with a note saying what it serves', async () => {
    await addMockProvider();
    const { key } = await createKey();
    const list = (await (await get('/v1/models', key)).json()) as { data: Array<{ id: string; note?: string }> };
    expect(list.data.find((entry) => entry.id === 'mock-*')).toMatchObject({ note: 'wildcard route: any model name starting with "mock-" is served' });
    const gemini = (await (await get('/v1beta/models', key)).json()) as { models: Array<{ name: string; description: string }> };
    expect(gemini.models.find((entry) => entry.name === 'models/mock-*')?.description).toContain('any model name starting with "mock-"');
  });

  it('shows a key limited to named models the ones a wildcard serves, and only those', async () => {
    await addMockProvider();
    const { key } = await createKey({ models: ['mock-1', 'nowhere-1'] });
    const list = (await (await get('/v1/models', key)).json()) as { data: Array<{ id: string }> };
    expect(list.data.map((entry) => entry.id)).toEqual(['mock-1']);
    expect((await get('/v1/models/mock-2', key)).status).toBe(404);
  });

  it('says "via mock-*" on the Models & prices page for a priced name a wildcard serves', async () => {
    await addMockProvider();
    expect((await admin('PUT', '/prices/mock-priced', { inputPerMillion: 1, outputPerMillion: 2 })).status).toBe(201);
    const session = await login();
    const html = unescapeHtml(await (await session.get('/dashboard/models')).text());
    const row = html.slice(html.indexOf('<code>mock-priced</code>'));
    expect(row.slice(0, row.indexOf('</tr>'))).toContain('via mock-*');
  });

  it('leaves the mock provider off unless ENABLE_MOCK_PROVIDER says true', () => {
    expect(configOf({ ...env, ENABLE_MOCK_PROVIDER: undefined } as Env).mockProviderEnabled).toBe(false);
    expect(configOf(env).mockProviderEnabled).toBe(true);
  });
});
