import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHarness } from 'wrangler';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN_TOKEN = 'base-path-admin-token';
const BASE_PATH = '/llm-api';

/** A second relay, started with BASE_PATH, as a Workers route `example.com/llm-api*` would run it. */
const server = createTestHarness({
  root,
  workers: [
    {
      configPath: 'wrangler.toml',
      secrets: { ADMIN_TOKEN, ENCRYPTION_KEY: 'base-path-encryption-key', WEBHOOK_SECRET: 'base-path-webhook-secret' },
      vars: { DEV_MODE: 'true', ENABLE_MOCK_PROVIDER: 'true', BASE_PATH },
    },
  ],
});

let origin = '';
let key = '';

beforeAll(async () => {
  origin = (await server.listen()).url.toString().replace(/\/$/, '');
  await server.getWorker().applyD1Migrations('DB');
  const admin = async (pathName: string, body: unknown) => {
    const response = await fetch(`${origin}${BASE_PATH}/admin${pathName}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`admin ${pathName}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { key?: string };
  };
  await admin('/providers', { id: 'mock', protocol: 'mock', baseUrl: 'mock://', models: ['mock-*'] });
  key = (await admin('/keys', { name: 'base path', plan: 'unlimited' })).key ?? '';
});

afterAll(() => server.close());

describe('official SDKs against a relay under /llm-api', () => {
  it('openai: chat completions, responses and models at …/llm-api/v1', async () => {
    const client = new OpenAI({ apiKey: key, baseURL: `${origin}${BASE_PATH}/v1`, maxRetries: 0 });
    const chat = await client.chat.completions.create({ model: 'mock-1', messages: [{ role: 'user', content: 'Say hello' }] });
    expect(chat.choices[0]?.message.content).toMatch(/\S/);
    const response = await client.responses.create({ model: 'mock-1', input: 'Say hello' });
    expect(response.output_text).toMatch(/\S/);
    const models = await client.models.list();
    expect(models.data.length).toBeGreaterThan(0);
  });

  it('openai: the api.openai.com alias under the prefix', async () => {
    const client = new OpenAI({ apiKey: key, baseURL: `${origin}${BASE_PATH}/api.openai.com/v1`, maxRetries: 0 });
    const response = await client.responses.create({ model: 'mock-1', input: 'Say hello' });
    expect(response.status).toBe('completed');
  });

  it('anthropic: messages (streamed) at …/llm-api and at the /anthropic alias', async () => {
    for (const baseURL of [`${origin}${BASE_PATH}`, `${origin}${BASE_PATH}/anthropic`]) {
      const client = new Anthropic({ apiKey: key, baseURL, maxRetries: 0 });
      const final = await client.messages.stream({ model: 'mock-1', max_tokens: 64, messages: [{ role: 'user', content: 'Say hello' }] }).finalMessage();
      expect(final.stop_reason, baseURL).toBe('end_turn');
    }
  });

  it('gemini: generateContent and its stream at …/llm-api', async () => {
    const ai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: `${origin}${BASE_PATH}` } });
    const response = await ai.models.generateContent({ model: 'mock-1', contents: 'Say hello' });
    expect(response.text).toMatch(/\S/);
    let chunks = 0;
    for await (const chunk of await ai.models.generateContentStream({ model: 'mock-1', contents: 'Say hello' })) if (chunk.text) chunks++;
    expect(chunks).toBeGreaterThan(0);
  });

  it('the SDKs get a 404 in their own shape at the root', async () => {
    const openai = new OpenAI({ apiKey: key, baseURL: `${origin}/v1`, maxRetries: 0 });
    await expect(openai.chat.completions.create({ model: 'mock-1', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const anthropic = new Anthropic({ apiKey: key, baseURL: origin, maxRetries: 0 });
    await expect(anthropic.messages.create({ model: 'mock-1', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });
});
