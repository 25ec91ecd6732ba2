import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { createTestHarness } from 'wrangler';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../fakes/anthropic-upstream';
import { createGeminiUpstream, FAKE_GEMINI_KEY } from '../fakes/gemini-upstream';
import { createOpenAIChatUpstream, FAKE_OPENAI_CHAT_KEY } from '../fakes/openai-chat-upstream';
import { createOpenAIResponsesUpstream, FAKE_OPENAI_RESPONSES_KEY } from '../fakes/openai-responses-upstream';
import { UPSTREAMS } from './formats';
import { serveOnLoopback } from './node-server';

declare module 'vitest' {
  export interface ProvidedContext {
    relayUrl: string;
    relayKey: string;
    fakeUrls: Record<'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini', string>;
  }
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN_TOKEN = 'clients-admin-token';
const modelFor = (format: string): string => UPSTREAMS.find((entry) => entry.format === format)?.model ?? format;


/**
 * Starts one fake upstream per wire format on 127.0.0.1, then the relay itself from wrangler.toml in
 * wrangler's test harness (real local D1, KV, Durable Objects, Queues), applies the migrations, and
 * configures a key and four providers through the admin API, exactly as an operator would.
 */
export default async function setup(project: TestProject) {
  const fakes = await Promise.all([
    serveOnLoopback(createOpenAIChatUpstream()),
    serveOnLoopback(createOpenAIResponsesUpstream()),
    serveOnLoopback(createAnthropicUpstream()),
    serveOnLoopback(createGeminiUpstream()),
  ]);
  const [chat, responses, anthropic, gemini] = fakes;
  const server = createTestHarness({
    root,
    workers: [
      {
        configPath: 'wrangler.toml',
        secrets: { ADMIN_TOKEN, ENCRYPTION_KEY: 'clients-encryption-key', WEBHOOK_SECRET: 'clients-webhook-secret' },
        vars: { ALLOW_PRIVATE_URLS: 'true', DEV_MODE: 'true', ENABLE_MOCK_PROVIDER: 'true' },
      },
    ],
  });
  const { url } = await server.listen();
  await server.getWorker().applyD1Migrations('DB');
  const relayUrl = url.toString().replace(/\/$/, '');

  const admin = async (pathName: string, body: unknown) => {
    const response = await fetch(`${relayUrl}/admin${pathName}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`admin ${pathName}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  await admin('/providers', { id: 'fake-chat', protocol: 'openai-chat', baseUrl: `${chat?.url}/v1`, apiKey: FAKE_OPENAI_CHAT_KEY, models: [modelFor('openai-chat')] });
  await admin('/providers', { id: 'fake-responses', protocol: 'openai-responses', baseUrl: `${responses?.url}/v1`, apiKey: FAKE_OPENAI_RESPONSES_KEY, models: [modelFor('openai-responses')] });
  await admin('/providers', { id: 'fake-anthropic', protocol: 'anthropic', baseUrl: anthropic?.url, apiKey: FAKE_ANTHROPIC_KEY, models: [modelFor('anthropic')] });
  await admin('/providers', { id: 'fake-gemini', protocol: 'gemini', baseUrl: gemini?.url, apiKey: FAKE_GEMINI_KEY, models: [modelFor('gemini')] });
  await admin('/providers', { id: 'mock', protocol: 'mock', baseUrl: 'mock://', models: ['mock-*'], priority: 100 });
  const key = await admin('/keys', { name: 'sdk suite', plan: 'unlimited', scopes: ['chat', 'images'] });

  project.provide('relayUrl', relayUrl);
  project.provide('relayKey', String(key.key));
  project.provide('fakeUrls', {
    'openai-chat': chat?.url ?? '',
    'openai-responses': responses?.url ?? '',
    anthropic: anthropic?.url ?? '',
    gemini: gemini?.url ?? '',
  });

  return async () => {
    await server.close();
    await Promise.all(fakes.map((fake) => fake.close()));
  };
}
