import { describe, expect, it } from 'vitest';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../fakes/anthropic-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addMockProvider, addProvider, createKey, jsonPost } from '../setup/seed';

const ANTHROPIC = { 'anthropic-version': '2023-06-01' };
const message = (model: string) => ({ model, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });

describe('quota headers the agents display, through the relay', () => {
  it('gives an Anthropic client the unified windows, rejected once the 5-hour window refuses', async () => {
    await addMockProvider();
    const { key } = await createKey({ plan: 'free', quotaOverrides: { requestsPer5h: 2 } });
    const first = await jsonPost('/v1/messages', key, message('mock-agent-quota'), ANTHROPIC);
    expect(first.status).toBe(200);
    expect(first.headers.get('anthropic-ratelimit-unified-status')).toBe('allowed');
    expect(first.headers.get('anthropic-ratelimit-unified-5h-utilization')).toBe('0.5');
    expect(Number(first.headers.get('anthropic-ratelimit-unified-5h-reset'))).toBeGreaterThan(Date.now() / 1000 + 4 * 3600);
    expect(first.headers.get('anthropic-ratelimit-unified-representative-claim')).toBe('five_hour');
    expect(first.headers.get('x-codex-primary-used-percent')).toBeNull();
    await first.body?.cancel();

    const second = await jsonPost('/v1/messages', key, message('mock-agent-quota'), ANTHROPIC);
    expect(second.headers.get('anthropic-ratelimit-unified-status')).toBe('allowed_warning');
    await second.body?.cancel();
    const refused = await jsonPost('/v1/messages', key, message('mock-agent-quota'), ANTHROPIC);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('anthropic-ratelimit-unified-status')).toBe('rejected');
    expect(refused.headers.get('anthropic-ratelimit-unified-5h-utilization')).toBe('1');
    expect(refused.headers.get('anthropic-ratelimit-unified-reset')).toBe(refused.headers.get('anthropic-ratelimit-unified-5h-reset'));
    await refused.body?.cancel();
  });

  it('gives a Responses client the codex primary and secondary windows', async () => {
    await addMockProvider();
    const { key } = await createKey({ plan: 'free' });
    const response = await jsonPost('/v1/responses', key, { model: 'mock-agent-quota', input: 'hi' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-codex-primary-window-minutes')).toBe('300');
    expect(response.headers.get('x-codex-secondary-window-minutes')).toBe('10080');
    expect(Number(response.headers.get('x-codex-primary-used-percent'))).toBeGreaterThan(0);
    expect(Number(response.headers.get('x-codex-primary-reset-after-seconds'))).toBeLessThanOrEqual(5 * 3600);
    expect(Number(response.headers.get('x-codex-secondary-reset-at'))).toBeGreaterThan(Date.now() / 1000);
    expect(response.headers.get('anthropic-ratelimit-unified-status')).toBeNull();
    await response.body?.cancel();
  });

  it("passes an Anthropic upstream's own anthropic-ratelimit-* headers on its error to an Anthropic client", async () => {
    const upstream = createAnthropicUpstream();
    installFakeUpstreams({ 'http://anthropic-quota.fake': upstream });
    await addProvider({ id: 'ant-quota', protocol: 'anthropic', baseUrl: 'http://anthropic-quota.fake', apiKey: FAKE_ANTHROPIC_KEY, models: ['quota-claude'], maxRetries: 0 });
    const { key } = await createKey({ plan: 'free' });
    const upstreamHeaders = {
      'anthropic-ratelimit-unified-status': 'rejected',
      'anthropic-ratelimit-unified-representative-claim': 'seven_day',
      'anthropic-ratelimit-unified-reset': '1790000000',
      'anthropic-ratelimit-tokens-remaining': '0',
      'retry-after': '30',
    };
    upstream.enqueue({ kind: 'error', status: 429, type: 'rate_limit_error', message: 'slow down', headers: upstreamHeaders });
    const response = await jsonPost('/v1/messages', key, message('quota-claude'), ANTHROPIC);
    expect(response.status).toBe(429);
    for (const [name, value] of Object.entries(upstreamHeaders)) expect(response.headers.get(name), name).toBe(value);
    // The key's own windows still fill in what the upstream did not say.
    expect(response.headers.get('anthropic-ratelimit-unified-5h-utilization')).not.toBeNull();
    await response.body?.cancel();
  });
});
