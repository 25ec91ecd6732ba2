import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { consumeUsageBatch } from '../../src/usage/consumer';
import type { UsageEvent } from '../../src/usage/event';
import { createOpenAIChatUpstream, FAKE_OPENAI_CHAT_KEY } from '../fakes/openai-chat-upstream';
import { enforceProductionD1Limits } from '../setup/d1-limits';
import { installFakeUpstreams } from '../setup/fake-network';
import { admin, callRelay, createKey, jsonPost } from '../setup/seed';
import { usageEvent } from '../usage/harness';

/**
 * An OpenRouter-style gateway or a vLLM fleet lists hundreds of models. D1 binds at most 100
 * parameters per statement, so every write of many rows (model routes, prices, usage) must be split
 * into several statements (inside one batch, to stay atomic). One relay, no reset between steps.
 */
const PROVIDER = 'fleet';
const BASE = 'http://fleet.fake';
const publicName = (index: number) => `fleet/model-${String(index).padStart(4, '0')}`;
const upstreamName = (index: number) => `vendor/model-${String(index).padStart(4, '0')}`;

/** Every third model renames, every fifth carries limits: the rows are not all the same shape. */
const modelEntry = (index: number) => {
  const limits = index % 5 === 0 ? { contextWindow: 131_072 + index, maxOutputTokens: 4_096 } : {};
  if (index % 3 === 1) return { name: publicName(index), upstream: upstreamName(index), ...limits };
  return Object.keys(limits).length === 0 ? publicName(index) : { name: publicName(index), ...limits };
};
const catalog = (count: number) => Array.from({ length: count }, (_, index) => modelEntry(index));

const routeCount = async (): Promise<number> =>
  (await env.DB.prepare('SELECT COUNT(*) AS n FROM model_routes WHERE provider_id = ?1').bind(PROVIDER).first<{ n: number }>())?.n ?? -1;

interface ModelObject {
  id: string;
  context_window?: number;
  max_output_tokens?: number;
}

const listModels = async (key: string): Promise<ModelObject[]> => {
  const response = await callRelay('/v1/models', { headers: { authorization: `Bearer ${key}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: ModelObject[] }).data;
};

const chat = (key: string, model: string, maxTokens?: number) =>
  jsonPost('/v1/chat/completions', key, { model, messages: [{ role: 'user', content: 'hi' }], ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }) });

describe('a catalog of 1,500 models on one relay', () => {
  enforceProductionD1Limits();

  it('creates, patches, lists, serves and deletes a provider with 1,000 then 1,500 models', async () => {
    const upstream = createOpenAIChatUpstream();
    installFakeUpstreams({ [BASE]: upstream });

    const created = await admin('POST', '/providers', { id: PROVIDER, protocol: 'openai-chat', baseUrl: `${BASE}/v1`, apiKey: FAKE_OPENAI_CHAT_KEY, models: catalog(1_000), maxRetries: 1 });
    expect(created.status).toBe(201);
    const createdBody = (await created.json()) as { models: unknown[]; maxRetries: number };
    expect(createdBody.models).toHaveLength(1_000);
    expect(createdBody.maxRetries).toBe(1);
    expect(await routeCount()).toBe(1_000);

    const patched = await admin('PATCH', `/providers/${PROVIDER}`, { models: catalog(1_500) });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { models: unknown[] }).models).toEqual(catalog(1_500));
    expect(await routeCount()).toBe(1_500);

    const listed = (await (await admin('GET', '/providers')).json()) as { data: Array<{ id: string; models: unknown[] }> };
    expect(listed.data.find((provider) => provider.id === PROVIDER)?.models).toHaveLength(1_500);

    const { key } = await createKey();
    const models = await listModels(key);
    const names = new Set(models.map((model) => model.id));
    for (const index of [0, 999, 1_000, 1_399, 1_499]) expect(names.has(publicName(index))).toBe(true);
    expect(models.find((model) => model.id === publicName(1_400))).toMatchObject({ context_window: 132_472, max_output_tokens: 4_096 });
    expect(models.find((model) => model.id === publicName(1_399))).not.toHaveProperty('context_window');

    // The 1,400th model (index 1,399) renames; the 1,401st carries limits: the clamp reaches the upstream.
    const renamed = await chat(key, publicName(1_399));
    expect(renamed.status).toBe(200);
    expect(upstream.requests.at(-1)?.body).toMatchObject({ model: upstreamName(1_399) });
    const clamped = await chat(key, publicName(1_400), 100_000);
    expect(clamped.status).toBe(200);
    expect(upstream.requests.at(-1)?.body).toMatchObject({ model: publicName(1_400), max_tokens: 4_096 });

    const deleted = await admin('DELETE', `/providers/${PROVIDER}`);
    expect(deleted.status).toBe(200);
    expect(await routeCount()).toBe(0);
    expect((await chat(key, publicName(1_399))).status).toBe(404);
  });

  it('creates, patches and uses a key whose allow-list names 500 models', async () => {
    installFakeUpstreams({ [BASE]: createOpenAIChatUpstream() });
    const created = await admin('POST', '/providers', { id: `${PROVIDER}-keys`, protocol: 'openai-chat', baseUrl: `${BASE}/v1`, apiKey: FAKE_OPENAI_CHAT_KEY, models: catalog(1_000) });
    expect(created.status).toBe(201);
    const allowed = Array.from({ length: 500 }, (_, index) => publicName(index * 2));
    const key = await createKey({ models: allowed });
    expect((await listModels(key.key)).map((model) => model.id).sort()).toEqual([...allowed].sort());

    const widened = [...allowed.slice(0, 499), publicName(999)];
    const patched = await admin('PATCH', `/keys/${key.id}`, { models: widened });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { models: string[] }).models).toHaveLength(500);
    expect((await chat(key.key, publicName(999))).status).toBe(200);
    expect((await chat(key.key, publicName(998))).status).toBe(403);
  });

  it('sets the prices of 500 models in one call and bills a batch of 100 events across 100 models', async () => {
    const prices = Array.from({ length: 500 }, (_, index) => ({ model: publicName(index), inputPerMillion: 1 + index / 100, outputPerMillion: 2 }));
    const set = await admin('PUT', '/prices', { prices });
    expect(set.status).toBe(200);
    expect(((await set.json()) as { data: unknown[] }).data).toHaveLength(500);
    const again = await admin('PUT', '/prices', { prices: prices.map((price) => ({ ...price, outputPerMillion: 4 })) });
    expect(again.status).toBe(200);
    const listed = (await (await admin('GET', '/prices')).json()) as { data: Array<{ model: string; inputPerMillion: number; outputPerMillion: number }> };
    expect(listed.data.filter((price) => price.model.startsWith('fleet/'))).toHaveLength(500);
    expect(listed.data.find((price) => price.model === publicName(250))).toMatchObject({ inputPerMillion: 3.5, outputPerMillion: 4 });

    const key = await createKey();
    const events: UsageEvent[] = Array.from({ length: 100 }, (_, index) => usageEvent({ accountId: key.accountId, keyId: key.id, model: publicName(index * 5) }));
    const batch = createMessageBatch<UsageEvent>('polyrelay-usage', events.map((body, index) => ({ id: `large_${index}`, timestamp: new Date(), attempts: 1, body })));
    await consumeUsageBatch(batch, env);
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.explicitAcks).toHaveLength(100);
    expect(result.retryMessages).toEqual([]);
    const totals = await env.DB.prepare('SELECT COUNT(*) AS models, SUM(requests) AS requests, SUM(cost_micros) AS cost FROM usage_daily WHERE key_id = ?1')
      .bind(key.id)
      .first<{ models: number; requests: number; cost: number }>();
    // 1,000 input tokens at (1 + i/100) $/1M and 500 output at $4/1M, for i = 0, 5, …, 495.
    const expectedCost = events.reduce((sum, _, index) => sum + Math.round(1_000 * (1 + (index * 5) / 100)) + 2_000, 0);
    expect(totals).toEqual({ models: 100, requests: 100, cost: expectedCost });
  });
});
