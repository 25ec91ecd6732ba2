import { beforeEach, describe, expect, it } from 'vitest';
import type { ProviderConfig } from '../../src/routing/provider';
import { BREAKER_SETTINGS, recordProviderFailure, resetProviderHealth } from '../../src/routing/provider-health';
import { resolveModel, routeModel } from '../../src/routing/resolve-model';
import type { RouteEntry, RouteTable } from '../../src/routing/route-table';

const provider = (id: string, priority: number, weight: number, protocol: ProviderConfig['protocol'] = 'openai-chat'): ProviderConfig => ({
  id,
  protocol,
  baseUrl: `http://${id}.fake/v1`,
  apiKeyEncrypted: null,
  priority,
  weight,
  headers: {},
  firstByteTimeoutMs: null,
  idleTimeoutMs: null,
  maxRetries: null,
});

const routeOf = (publicModel: string, upstreamModel: string, entry: ProviderConfig): RouteEntry => ({
  publicModel,
  upstreamModel,
  provider: entry,
  model: { contextWindow: null, maxOutputTokens: null, outputTokenField: 'max_tokens' },
  outputTokenFieldSet: false,
});

const tableOf = (...providers: ProviderConfig[]): RouteTable => ({
  providers,
  routes: providers.map((entry) => routeOf('m', `${entry.id}-m`, entry)),
});

/** A deterministic random source cycling through `values`. */
const sequence = (...values: number[]) => {
  let index = 0;
  return () => values[index++ % values.length] ?? 0;
};

const ids = (table: RouteTable, random: () => number, now = 0) => resolveModel(table, 'm', now, random).map((candidate) => candidate.provider.id);

beforeEach(() => resetProviderHealth());

describe('priority groups and weighted choice', () => {
  it('tries lower priority numbers first, whatever the weights', () => {
    const table = tableOf(provider('backup', 1, 100), provider('main', 0, 1));
    expect(ids(table, sequence(0.99))).toEqual(['main', 'backup']);
  });

  it('orders a group by weighted draws without replacement', () => {
    const table = tableOf(provider('a', 0, 1), provider('b', 0, 3));
    // total 4: a ∈ [0,1), b ∈ [1,4).
    expect(ids(table, sequence(0.1))).toEqual(['a', 'b']);
    expect(ids(table, sequence(0.5))).toEqual(['b', 'a']);
  });

  it('picks in proportion to weight over many draws', () => {
    const table = tableOf(provider('light', 0, 1), provider('heavy', 0, 3));
    let heavyFirst = 0;
    const draws = 4000;
    for (let i = 0; i < draws; i++) if (ids(table, Math.random)[0] === 'heavy') heavyFirst += 1;
    expect(heavyFirst / draws).toBeGreaterThan(0.7);
    expect(heavyFirst / draws).toBeLessThan(0.8);
  });

  it('puts weight 0 last within its group and never drops it', () => {
    const table = tableOf(provider('zero', 0, 0), provider('one', 0, 1), provider('later', 1, 1));
    expect(ids(table, sequence(0.0, 0.0, 0.0))).toEqual(['one', 'zero', 'later']);
  });

  it('skips image providers for chat models and prefers exact routes over wildcards', () => {
    const exact = provider('exact', 5, 1);
    const wild = provider('wild', 0, 1);
    const images = provider('img', 0, 1, 'openai-images');
    const table: RouteTable = {
      providers: [exact, wild, images],
      routes: [
        routeOf('m', 'm', exact),
        routeOf('m*', 'm*', wild),
        routeOf('m', 'm', images),
      ],
    };
    expect(ids(table, sequence(0))).toEqual(['exact']);
  });
});

describe('health in candidate selection', () => {
  it('moves a provider whose breaker is open to the end instead of dropping it', () => {
    const table = tableOf(provider('flaky', 0, 1), provider('steady', 1, 1));
    for (let i = 0; i < BREAKER_SETTINGS.FAILURE_THRESHOLD; i++) recordProviderFailure('flaky', 1_000);
    expect(ids(table, sequence(0), 1_000)).toEqual(['steady', 'flaky']);
    // After the cool-down it is back in its place (half-open: the next attempt is the probe).
    expect(ids(table, sequence(0), 1_000 + BREAKER_SETTINGS.COOL_DOWN_MS)).toEqual(['flaky', 'steady']);
  });

  it('moves a route that said 429 / retry-after behind the others until then, never dropping it', () => {
    const table = tableOf(provider('busy', 0, 1), provider('free', 1, 1));
    recordProviderFailure('busy', 1_000, { rateLimited: true, retryAfterMs: 30_000, upstreamModel: 'busy-m' });
    expect(ids(table, sequence(0), 2_000)).toEqual(['free', 'busy']);
    expect(ids(table, sequence(0), 31_000)).toEqual(['busy', 'free']);
  });

  it('keeps every route when all of them said 429, the one free soonest first', () => {
    const table = tableOf(provider('busy', 0, 1), provider('free', 1, 1));
    recordProviderFailure('busy', 1_000, { rateLimited: true, retryAfterMs: 30_000, upstreamModel: 'busy-m' });
    recordProviderFailure('free', 1_000, { rateLimited: true, upstreamModel: 'free-m' });
    expect(routeModel(table, 'm', 1_500, sequence(0)).candidates.map((candidate) => candidate.provider.id)).toEqual(['free', 'busy']);
  });

  it('remembers a 429 per provider and upstream model: the same provider serving another model keeps its place', () => {
    const shared = provider('shared', 0, 1);
    const other = provider('other', 1, 1);
    const table: RouteTable = {
      providers: [shared, other],
      routes: [routeOf('a', 'model-a', shared), routeOf('b', 'model-b', shared), routeOf('a', 'model-a', other), routeOf('b', 'model-b', other)],
    };
    recordProviderFailure('shared', 1_000, { rateLimited: true, retryAfterMs: 30_000, upstreamModel: 'model-a' });
    const order = (model: string) => resolveModel(table, model, 2_000, sequence(0)).map((candidate) => candidate.provider.id);
    expect(order('a')).toEqual(['other', 'shared']);
    expect(order('b')).toEqual(['shared', 'other']);
  });

  it('a 429 never opens the breaker, for that model or any other', () => {
    const table = tableOf(provider('p', 0, 1), provider('q', 1, 1));
    for (let i = 0; i < BREAKER_SETTINGS.FAILURE_THRESHOLD * 3; i++) recordProviderFailure('p', 1_000, { rateLimited: true, upstreamModel: 'other-model' });
    expect(ids(table, sequence(0), 1_001)).toEqual(['p', 'q']);
  });
});
