import { expect, it } from 'vitest';
import { routedModelNames } from '../../src/onboarding/routed-models';
import type { ProviderConfig } from '../../src/routing/provider';
import type { RouteTable } from '../../src/routing/route-table';

const provider = (id: string, protocol: ProviderConfig['protocol']): ProviderConfig => ({
  id, protocol, baseUrl: 'http://x.fake', apiKeyEncrypted: null, priority: 0, weight: 1, headers: {}, firstByteTimeoutMs: null, idleTimeoutMs: null, maxRetries: null,
});
const tableOf = (...routes: Array<[string, ProviderConfig]>): RouteTable => ({
  providers: routes.map(([, entry]) => entry),
  routes: routes.map(([publicModel, entry]) => ({
    publicModel, upstreamModel: publicModel, provider: entry, model: { contextWindow: null, maxOutputTokens: null, outputTokenField: 'max_tokens' }, outputTokenFieldSet: false,
  })),
});

it('names models the relay routes: the mock under npm run dev, a native model of each family, the defaults when routed', () => {
  const mock = provider('mock', 'mock');
  expect(routedModelNames(tableOf(['mock-*', mock]))).toEqual({ anthropic: 'mock-1', openai: 'mock-1', gemini: 'mock-1' });
  const claude = provider('ant', 'anthropic');
  const gpt = provider('oai', 'openai-chat');
  expect(routedModelNames(tableOf(['claude-house', claude], ['gpt-5', gpt], ['mock-*', mock]))).toEqual({
    anthropic: 'claude-house',
    openai: 'gpt-5',
    gemini: 'claude-house',
  });
  expect(routedModelNames(tableOf())).toEqual({ anthropic: 'claude-sonnet-4-5', openai: 'gpt-5', gemini: 'gemini-2.5-flash' });
});
