import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { consumeUsageBatch } from '../../src/usage/consumer';
import type { UsageEvent } from '../../src/usage/event';
import { formatDollars } from '../../src/usage/money';
import { priceOf, type ModelPrice } from '../../src/usage/pricing';
import { isRoutePriced, unpricedRouteWarnings } from '../../src/usage/unpriced-routes';
import { login, unescapeHtml } from '../dashboard/helpers';
import { admin, createKey } from '../setup/seed';
import { adminCall, setPrice, usageEvent } from './harness';

const price = (input: number): ModelPrice => ({ inputPerMillionMicros: input, outputPerMillionMicros: 0, cacheReadPerMillionMicros: 0, cacheWritePerMillionMicros: 0 });

describe('pricing by public name, then upstream name', () => {
  const prices = new Map([
    ['claude-sonnet-5', price(3_000_000)],
    ['house-special', price(1_000_000)],
  ]);

  it('prices an alias of a priced model by the model it reaches', () => {
    expect(priceOf(prices, { model: 'sonnet', upstreamModel: 'claude-sonnet-5' })).toBe(prices.get('claude-sonnet-5'));
  });

  it("prefers the public name's own price, and has none when neither name is priced", () => {
    expect(priceOf(prices, { model: 'house-special', upstreamModel: 'claude-sonnet-5' })).toBe(prices.get('house-special'));
    expect(priceOf(prices, { model: 'free-alias', upstreamModel: 'unpriced-upstream' })).toBeUndefined();
    expect(priceOf(prices, { model: 'free-alias', upstreamModel: null })).toBeUndefined();
  });

  it('charges the upstream price to an alias event in the usage consumer', async () => {
    await setPrice('alias-target-model', 2_000_000, 8_000_000);
    const key = await createKey();
    const event: UsageEvent = usageEvent({ accountId: key.accountId, keyId: key.id, model: 'alias-public', upstreamModel: 'alias-target-model' });
    const batch = createMessageBatch<UsageEvent>('polyrelay-usage', [{ id: 'msg_alias', timestamp: new Date(), attempts: 1, body: event }]);
    await consumeUsageBatch(batch, env);
    expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toEqual(['msg_alias']);
    const row = await env.DB.prepare('SELECT cost_micros AS cost FROM usage_events WHERE request_id = ?1').bind(event.requestId).first<{ cost: number }>();
    // 1,000 in × $2 + 500 out × $8 per 1M = 2,000 + 4,000 micro-dollars.
    expect(row?.cost).toBe(6_000);
  });
});

describe('unpriced routes', () => {
  const priced = new Set(['claude-sonnet-5', 'gpt-5-mini']);

  it('counts a route as priced by either name, and a wildcard by any priced name under it', () => {
    expect(isRoutePriced({ publicModel: 'sonnet', upstreamModel: 'claude-sonnet-5' }, priced)).toBe(true);
    expect(isRoutePriced({ publicModel: 'gpt-*', upstreamModel: 'gpt-*' }, priced)).toBe(true);
    expect(isRoutePriced({ publicModel: 'llama-*', upstreamModel: 'llama-*' }, priced)).toBe(false);
    expect(unpricedRouteWarnings([{ publicModel: 'opus', upstreamModel: 'claude-opus-5' }], priced)).toEqual([
      'model "opus" (upstream "claude-opus-5") has no price under either name: its usage costs $0',
    ]);
  });

  it('warns in the POST /admin/providers answer', async () => {
    await setPrice('warn-priced-upstream', 1_000_000, 1_000_000);
    const response = await admin('POST', '/providers', {
      id: 'warn-provider',
      protocol: 'openai-chat',
      baseUrl: 'http://warn.fake/v1',
      apiKey: 'sk-warn',
      models: [{ name: 'warn-alias', upstream: 'warn-priced-upstream' }, 'warn-unpriced'],
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { id: string; warnings: string[] };
    expect(body.id).toBe('warn-provider');
    expect(body.warnings).toEqual(['model "warn-unpriced" has no price: its usage costs $0 (PUT /admin/prices/warn-unpriced)']);

    const html = unescapeHtml(await (await (await login()).get('/dashboard/models')).text());
    const rowOf = (model: string) => {
      const row = html.slice(html.indexOf(`<code>${model}</code>`));
      return row.slice(0, row.indexOf('</tr>'));
    };
    expect(rowOf('warn-unpriced')).toContain('unpriced: costs $0');
    expect(rowOf('warn-alias')).not.toContain('unpriced');
  });
});

describe('PUT /admin/prices', () => {
  it('accepts a price with only perImage, and refuses one with no price at all', async () => {
    const imageOnly = await adminCall('PUT', '/prices/image-only-model', { perImage: 0.04 });
    expect(imageOnly.status).toBe(201);
    expect(await imageOnly.json()).toMatchObject({ model: 'image-only-model', inputPerMillion: 0, outputPerMillion: 0, perImage: 0.04 });
    const empty = await adminCall('PUT', '/prices/no-price-model', {});
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('at least one of');
  });
});

describe('formatDollars', () => {
  it('puts the sign before the dollar sign and keeps every micro-dollar', () => {
    expect(formatDollars(-40_000)).toBe('-$0.04');
    expect(formatDollars(12_500_000)).toBe('$12.50');
    expect(formatDollars(0)).toBe('$0.00');
    expect(formatDollars(125)).toBe('$0.000125');
    expect(formatDollars(-1_234_567)).toBe('-$1.234567');
  });
});
