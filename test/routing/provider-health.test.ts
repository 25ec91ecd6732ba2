import { beforeEach, describe, expect, it } from 'vitest';
import {
  BREAKER_SETTINGS,
  claimProviderAttempt,
  providerHealth,
  recordProviderFailure,
  recordProviderSuccess,
  resetProviderHealth,
} from '../../src/routing/provider-health';
import { installFakeUpstreams } from '../setup/fake-network';
import { ADMIN_TOKEN, addProvider, callRelay } from '../setup/seed';

const { FAILURE_THRESHOLD, COOL_DOWN_MS, PROBE_LEASE_MS } = BREAKER_SETTINGS;
const fail = (id: string, times: number, now: number) => {
  for (let i = 0; i < times; i++) recordProviderFailure(id, now);
};

beforeEach(() => resetProviderHealth());

describe('circuit breaker', () => {
  it('opens after consecutive failures, and a success before that resets the count', () => {
    fail('p', FAILURE_THRESHOLD - 1, 0);
    recordProviderSuccess('p', 0);
    fail('p', FAILURE_THRESHOLD - 1, 0);
    expect(providerHealth('p', 0)).toMatchObject({ state: 'closed', healthy: true, consecutiveFailures: FAILURE_THRESHOLD - 1 });
    recordProviderFailure('p', 0);
    expect(providerHealth('p', 1)).toMatchObject({ state: 'open', healthy: false, openUntil: COOL_DOWN_MS });
  });

  it('half-opens after the cool-down: one probe at a time; its success closes the breaker', () => {
    fail('p', FAILURE_THRESHOLD, 0);
    expect(providerHealth('p', COOL_DOWN_MS)).toMatchObject({ state: 'half_open', healthy: true });
    claimProviderAttempt('p', COOL_DOWN_MS);
    expect(providerHealth('p', COOL_DOWN_MS + 1)).toMatchObject({ state: 'half_open', healthy: false });
    // An abandoned probe does not hold the provider forever.
    expect(providerHealth('p', COOL_DOWN_MS + PROBE_LEASE_MS)).toMatchObject({ healthy: true });
    recordProviderSuccess('p', COOL_DOWN_MS + 2);
    expect(providerHealth('p', COOL_DOWN_MS + 3)).toEqual({ state: 'closed', healthy: true, consecutiveFailures: 0 });
  });

  it('a failed probe opens it for another cool-down', () => {
    fail('p', FAILURE_THRESHOLD, 0);
    claimProviderAttempt('p', COOL_DOWN_MS);
    recordProviderFailure('p', COOL_DOWN_MS + 5);
    expect(providerHealth('p', COOL_DOWN_MS + 6)).toMatchObject({ state: 'open', openUntil: 2 * COOL_DOWN_MS + 5 });
  });

  it('rate limits do not count as failures', () => {
    for (let i = 0; i < FAILURE_THRESHOLD * 2; i++) recordProviderFailure('p', 0, { rateLimited: true, retryAfterMs: 5_000 });
    expect(providerHealth('p', 1)).toMatchObject({ state: 'closed', healthy: true, rateLimitedUntil: 5_000 });
  });
});

describe('GET /health', () => {
  it('is 200 while any provider is healthy, 503 once all are open, with the per-provider map', async () => {
    installFakeUpstreams({});
    await addProvider({ id: 'h-one', protocol: 'openai-chat', baseUrl: 'http://one.fake/v1', apiKey: 'k', models: ['h'] });
    await addProvider({ id: 'h-two', protocol: 'anthropic', baseUrl: 'http://two.fake', apiKey: 'k', models: ['h'] });
    const now = Date.now();
    fail('h-one', FAILURE_THRESHOLD, now);
    const partly = await callRelay('/health', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(partly.status).toBe(200);
    const body = (await partly.json()) as { status: string; providers: Record<string, { healthy: boolean; state: string }> };
    expect(body.status).toBe('ok');
    expect(body.providers['h-one']).toMatchObject({ healthy: false, state: 'open', consecutiveFailures: FAILURE_THRESHOLD });
    expect(body.providers['h-two']).toMatchObject({ healthy: true, state: 'closed' });

    fail('h-two', FAILURE_THRESHOLD, now);
    const down = await callRelay('/health', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'unavailable', providers: { 'h-one': { healthy: false }, 'h-two': { healthy: false } } });
  });
});
