import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const relayUrl = inject('relayUrl');
// The admin token test/clients/global-setup.ts starts the relay with.
const ADMIN_TOKEN = 'clients-admin-token';

let key = '';

beforeAll(async () => {
  // A key with request windows (the suite's own key is unlimited, which sends no quota headers at all).
  const created = await fetch(`${relayUrl}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'agent quota headers', plan: 'pro' }),
  });
  expect(created.status).toBe(201);
  key = ((await created.json()) as { key: string }).key;
});

describe('quota headers the agents display, read through the official SDKs', () => {
  it("exposes anthropic-ratelimit-unified-* on the Anthropic SDK's raw response", async () => {
    const client = new Anthropic({ apiKey: key, baseURL: relayUrl, maxRetries: 0 });
    const { data, response } = await client.messages.create({ model: 'mock-1', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(data.type).toBe('message');
    expect(response.headers.get('anthropic-ratelimit-unified-status')).toBe('allowed');
    expect(Number(response.headers.get('anthropic-ratelimit-unified-5h-utilization'))).toBeGreaterThan(0);
    expect(Number(response.headers.get('anthropic-ratelimit-unified-5h-utilization'))).toBeLessThan(1);
    expect(Number(response.headers.get('anthropic-ratelimit-unified-7d-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(response.headers.get('anthropic-ratelimit-unified-representative-claim')).toMatch(/^(five_hour|seven_day)$/);
  });

  it("exposes x-codex-primary-* / x-codex-secondary-* on the OpenAI SDK's raw Responses answer", async () => {
    const client = new OpenAI({ apiKey: key, baseURL: `${relayUrl}/v1`, maxRetries: 0 });
    const { data, response } = await client.responses.create({ model: 'mock-1', input: 'hi' }).withResponse();
    expect(data.object).toBe('response');
    expect(response.headers.get('x-codex-primary-window-minutes')).toBe('300');
    expect(response.headers.get('x-codex-secondary-window-minutes')).toBe('10080');
    expect(Number(response.headers.get('x-codex-primary-used-percent'))).toBeGreaterThan(0);
    expect(Number(response.headers.get('x-codex-secondary-reset-at'))).toBeGreaterThan(Date.now() / 1000);
  });
});
