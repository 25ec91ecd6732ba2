import { describe, expect, it } from 'vitest';
import { admin } from '../setup/seed';
import { login } from './helpers';

describe('dashboard key form: token limits', () => {
  it('sets tokens per minute and per day from the form (number, none = unlimited, empty = the plan)', async () => {
    const session = await login();
    const created = await session.post('/dashboard/keys', { name: 'dash-tokens', plan: 'pro', scopes: ['chat'], tokensPerMinute: '20000', tokensPerDay: '1000000' });
    const id = /href="\/dashboard\/keys\/(key_[A-Za-z0-9]+)"/.exec(await created.text())?.[1] ?? '';
    const read = async () => ((await (await admin('GET', `/keys/${id}`)).json()) as { quotaOverrides: Record<string, number | null> | null }).quotaOverrides;
    expect(await read()).toEqual({ tokensPerMinute: 20_000, tokensPerDay: 1_000_000 });
    const page = await (await session.get(`/dashboard/keys/${id}`)).text();
    expect(page).toContain('Tokens per minute (input + output)');
    expect(page).toContain('name="tokensPerMinute" inputmode="numeric" value="20000"');
    expect(page).toContain('name="tokensPerDay" inputmode="numeric" value="1000000"');

    await session.post(`/dashboard/keys/${id}`, { name: 'dash-tokens', plan: 'pro', scopes: ['chat'], tokensPerMinute: 'none' });
    expect(await read()).toEqual({ tokensPerMinute: null });
  });
});
