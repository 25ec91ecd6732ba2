/**
 * Cache affinity seen through the official SDKs: three equal Anthropic providers, and Claude Code's
 * session id in `metadata.user_id` (the JSON form Claude Code sends) keeps every turn of one session
 * on one provider, so that provider's prompt cache keeps hitting; Codex-style `prompt_cache_key` does
 * the same for the OpenAI SDK over a Responses client translated to those providers.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../fakes/anthropic-upstream';
import { serveOnLoopback } from './node-server';

const relayUrl = inject('relayUrl');
const relayKey = inject('relayKey');
const ADMIN_TOKEN = 'clients-admin-token';
const MODEL = 'affinity-claude';
const PROVIDERS = ['affinity-a', 'affinity-b', 'affinity-c'];

const upstreams = PROVIDERS.map(() => createAnthropicUpstream());
const servers: Array<Awaited<ReturnType<typeof serveOnLoopback>>> = [];

const admin = (path: string, method: string, body?: unknown) =>
  fetch(`${relayUrl}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

/** How many requests each provider's upstream has received so far. */
const counts = (): number[] => upstreams.map((upstream) => upstream.requests.length);

const served = (before: number[]): number[] => counts().map((count, index) => count - (before[index] ?? 0));

beforeAll(async () => {
  for (const [index, id] of PROVIDERS.entries()) {
    const server = await serveOnLoopback(upstreams[index] as Parameters<typeof serveOnLoopback>[0]);
    servers.push(server);
    await admin(`/admin/providers/${id}`, 'DELETE');
    const created = await admin('/admin/providers', 'POST', { id, protocol: 'anthropic', baseUrl: server.url, apiKey: FAKE_ANTHROPIC_KEY, models: [MODEL] });
    expect(created.status).toBe(201);
  }
});

afterAll(async () => {
  for (const id of PROVIDERS) await admin(`/admin/providers/${id}`, 'DELETE');
  await Promise.all(servers.map((server) => server.close()));
});

const claudeCodeUserId = (sessionId: string) => JSON.stringify({ device_id: 'd'.repeat(64), account_uuid: '', session_id: sessionId });

describe('cache affinity through the official SDKs', () => {
  it('keeps every turn of one Claude Code session on one of three equal providers', async () => {
    const client = new Anthropic({ apiKey: relayKey, baseURL: relayUrl, maxRetries: 0 });
    const sessions = ['0b4f8a52-6a1e-4c55-9a53-1f0c2f0e9d11', '7d3c2b1a-0e9f-4d8c-b7a6-5f4e3d2c1b0a', 'c0ffee00-1234-4abc-8def-0123456789ab'];
    for (const session of sessions) {
      const before = counts();
      for (let turn = 0; turn < 6; turn++) {
        const stream = turn % 2 === 1;
        const params = { model: MODEL, max_tokens: 64, metadata: { user_id: claudeCodeUserId(session) }, messages: [{ role: 'user' as const, content: `turn ${turn}` }] };
        if (stream) await client.messages.stream(params).finalMessage();
        else await client.messages.create(params);
      }
      const split = served(before);
      expect(split.reduce((sum, count) => sum + count, 0), session).toBe(6);
      expect(split.filter((count) => count > 0), `${session}: ${split.join('/')}`).toEqual([6]);
    }
  });

  it('spreads different sessions over the providers', async () => {
    const client = new Anthropic({ apiKey: relayKey, baseURL: relayUrl, maxRetries: 0 });
    const before = counts();
    for (let session = 0; session < 24; session++) {
      await client.messages.create({ model: MODEL, max_tokens: 16, metadata: { user_id: claudeCodeUserId(`spread-${session}`) }, messages: [{ role: 'user', content: 'hi' }] });
    }
    // 24 sessions over 3 equal providers: each gets some (all on one would be the affinity ignoring the key).
    expect(served(before).filter((count) => count > 0).length).toBeGreaterThanOrEqual(2);
  });

  it("keeps a Responses client's prompt_cache_key on one provider through translation", async () => {
    const client = new OpenAI({ apiKey: relayKey, baseURL: `${relayUrl}/v1`, maxRetries: 0 });
    const before = counts();
    for (let turn = 0; turn < 5; turn++) await client.responses.create({ model: MODEL, input: `turn ${turn}`, prompt_cache_key: 'codex-thread-42', store: false });
    expect(served(before).filter((count) => count > 0)).toEqual([5]);
  });
});
