import { describe, expect, it } from 'vitest';
import { addMockProvider, createKey, jsonPost } from '../setup/seed';

describe('request quota through the relay', () => {
  it('admits exactly 40 of 200 concurrent requests on a free key, with consistent headers', async () => {
    await addMockProvider();
    const { key } = await createKey({ plan: 'free' });
    const body = { model: 'mock-quota', messages: [{ role: 'user', content: 'hi' }] };
    const responses = await Promise.all(Array.from({ length: 200 }, () => jsonPost('/v1/chat/completions', key, body)));
    const admitted = responses.filter((response) => response.status === 200);
    const refused = responses.filter((response) => response.status === 429);
    expect(admitted).toHaveLength(40);
    expect(refused).toHaveLength(160);

    const remaining = admitted.map((response) => Number(response.headers.get('x-ratelimit-remaining'))).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (const response of admitted) {
      expect(response.headers.get('x-ratelimit-limit')).toBe('40');
      expect(response.headers.get('x-ratelimit-limit-week')).toBe('200');
      expect(Number(response.headers.get('x-ratelimit-remaining-week'))).toBe(160 + Number(response.headers.get('x-ratelimit-remaining')));
    }
    const refusal = refused[0];
    expect(Number(refusal?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refusal?.headers.get('x-ratelimit-remaining')).toBe('0');
    const error = (await refusal?.json()) as { error: { type: string; code: string; message: string } };
    expect(error.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(error.error.message).toMatch(/5-hour request quota of 40 requests exhausted; it resets at \d{4}-\d\d-\d\dT/);
    await Promise.all([...admitted, ...refused.slice(1)].map((response) => response.body?.cancel()));
  });

  it('answers an Anthropic client over quota in its own shape with its own headers', async () => {
    await addMockProvider();
    const { key } = await createKey({ plan: 'free', quotaOverrides: { requestsPer5h: 1 } });
    const request = { model: 'mock-quota', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] };
    const first = await jsonPost('/v1/messages', key, request, { 'anthropic-version': '2023-06-01' });
    expect(first.status).toBe(200);
    expect(first.headers.get('anthropic-ratelimit-requests-limit')).toBe('1');
    expect(first.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    const second = await jsonPost('/v1/messages', key, request, { 'anthropic-version': '2023-06-01' });
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const gemini = await jsonPost('/v1beta/models/mock-quota:generateContent', key, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
    expect(gemini.status).toBe(429);
    expect(await gemini.json()).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
  });
});
