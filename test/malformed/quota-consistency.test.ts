import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callRelay, createKey } from '../setup/seed';
import { CHAT, GENERATE, MESSAGES, RESPONSES, type Endpoint } from './endpoints';
import { callRelayWith, expectCallerError, installTranslationUpstreams, seedProviders } from './harness';

beforeAll(seedProviders);
beforeEach(() => installTranslationUpstreams());

const post = (endpoint: Endpoint, key: string, model: string, body: string, bindings = env): Promise<Response> =>
  callRelayWith(bindings, endpoint.path(model), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...endpoint.headers, ...endpoint.auth(key) },
    body,
  });

/** Requests the relay itself refuses: each must leave the key's quota and concurrency lease as they were. */
const refusedBodies = (endpoint: Endpoint, model: string): Array<[string, string, number]> => {
  const valid = endpoint.body(model);
  return [
    ['not JSON', '{', 400],
    ['unknown model', JSON.stringify(endpoint.shape === 'gemini' ? valid : { ...valid, model: 'no-such-model-anywhere' }), endpoint.shape === 'gemini' ? 200 : 404],
    ['tools malformed', JSON.stringify({ ...valid, tools: 'x' }), 400],
    ['temperature out of range', JSON.stringify(endpoint.shape === 'gemini' ? { ...valid, generationConfig: { temperature: 9 } } : { ...valid, temperature: 9 }), 400],
  ];
};

describe('a refused request consumes no quota and leaks no concurrency slot', () => {
  for (const endpoint of [CHAT, RESPONSES, MESSAGES, GENERATE]) {
    for (const model of ['mock-1', endpoint.translatedModel]) {
      it(`${endpoint.name} → ${model}`, async () => {
        // Two requests per 5 hours, one at a time: one lost slot would show.
        const { key } = await createKey({ plan: 'free', quotaOverrides: { requestsPer5h: 2, maxConcurrent: 1 } });
        for (const [, body, status] of refusedBodies(endpoint, model)) {
          if (status === 200) continue;
          await expectCallerError(await post(endpoint, key, model, body), endpoint.shape, status);
        }
        const usage = (await (await callRelay('/v1/usage', { headers: { authorization: `Bearer ${key}` } })).json()) as { quota: { fiveHour: { used: number }; concurrency: { active: number } } };
        expect(usage.quota.fiveHour.used).toBe(0);
        expect(usage.quota.concurrency.active).toBe(0);
        const valid = JSON.stringify(endpoint.body(model));
        expect((await post(endpoint, key, model, valid)).status).toBe(200);
        expect((await post(endpoint, key, model, valid)).status).toBe(200);
        await expectCallerError(await post(endpoint, key, model, valid), endpoint.shape, 429);
      });
    }
  }
});
