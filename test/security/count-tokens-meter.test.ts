import { describe, expect, it } from 'vitest';
import { addMockProvider, callRelay, createKey } from '../setup/seed';

const count = (key: string) =>
  callRelay('/v1/messages/count_tokens', {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock-1', messages: [{ role: 'user', content: 'how many tokens is this?' }] }),
  });

const fiveHourUsed = async (key: string): Promise<number> => {
  const response = await callRelay('/v1/usage', { headers: { authorization: `Bearer ${key}` } });
  return ((await response.json()) as { quota: { fiveHour: { used: number } } }).quota.fiveHour.used;
};

describe('count_tokens is metered per minute, not against the request quota', () => {
  it("a burst past the key's per-minute limit gets 429 in the caller shape", async () => {
    await addMockProvider();
    const { key } = await createKey({ plan: 'pro', quotaOverrides: { requestsPerMinute: 3 } });
    for (let i = 0; i < 3; i++) expect((await count(key)).status).toBe(200);
    const refused = await count(key);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { type: string; error: { type: string } }).error.type).toBe('rate_limit_error');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('counting spends nothing of the 5-hour window', async () => {
    await addMockProvider();
    const { key } = await createKey({ plan: 'free' });
    for (let i = 0; i < 5; i++) expect((await count(key)).status).toBe(200);
    expect(await fiveHourUsed(key)).toBe(0);
  });
});
