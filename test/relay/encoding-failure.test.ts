import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { WireFormat } from '../../src/ir/format';
import { codecFor } from '../../src/protocols/registry';
import { providerHealth, resetProviderHealth } from '../../src/routing/provider-health';
import { assertNoLeak, expectCallerError, type ErrorShape } from '../malformed/harness';
import { installFakeUpstreams } from '../setup/fake-network';
import { createKey } from '../setup/seed';
import { callClient, healthyUpstream, provide, unique } from './faults/harness';
import { FORMATS, otherFormat } from './faults/wire';

/** A relay-side bug, standing in for any encoder that throws on a request it accepted. */
const breakEncoder = (format: WireFormat, route: 'translated' | 'passthrough', error: Error = new TypeError("Cannot read properties of undefined (reading 'x')")): void => {
  const codec = codecFor(format);
  const thrower = () => {
    throw error;
  };
  if (route === 'translated') vi.spyOn(codec, 'encodeRequest').mockImplementation(thrower);
  else vi.spyOn(codec, 'rewritePassthrough').mockImplementation(thrower);
};

const SHAPE: Record<WireFormat, ErrorShape> = { 'openai-chat': 'openai', 'openai-responses': 'openai', anthropic: 'anthropic', gemini: 'gemini' };

/** The 500 in the caller's own shape, with the provider named and no JS internals. */
const expectEncodeError500 = async (response: Response, client: WireFormat, providerId: string): Promise<void> => {
  const text = await response.text();
  expect(response.status, text).toBe(500);
  assertNoLeak(text);
  expect(text).not.toMatch(/TypeError|Cannot read/);
  const body = JSON.parse(text) as { type?: string; error: Record<string, unknown> };
  expect(body.error.message).toBe(`the relay could not encode the request for ${providerId}`);
  if (SHAPE[client] === 'openai') expect(body.error.type).toBe('server_error');
  if (SHAPE[client] === 'anthropic') expect([body.type, body.error.type]).toEqual(['error', 'api_error']);
  if (SHAPE[client] === 'gemini') expect([body.error.code, body.error.status]).toEqual([500, 'INTERNAL']);
};

const untouched = (providerId: string): void => {
  expect(providerHealth(providerId, Date.now())).toEqual({ state: 'closed', healthy: true, consecutiveFailures: 0 });
};

beforeEach(() => resetProviderHealth());

describe.each(FORMATS)('%s client: an encoder that throws is not a provider failure', (client) => {
  for (const route of ['translated', 'passthrough'] as const) {
    const badFormat = route === 'translated' ? otherFormat(client) : client;
    const goodFormat = route === 'translated' ? client : otherFormat(client);

    it(`${route}: falls back to the next candidate; the broken one is never called and its health is unchanged`, async () => {
      const bad = healthyUpstream(badFormat);
      const good = healthyUpstream(goodFormat);
      installFakeUpstreams({ 'http://bad.fake': bad.handler, 'http://good.fake': good.handler });
      const model = unique('enc');
      const badId = unique('enc-bad');
      await provide({ id: badId, format: badFormat, origin: 'http://bad.fake', model, priority: 0, apiKey: bad.apiKey });
      await provide({ id: unique('enc-good'), format: goodFormat, origin: 'http://good.fake', model, priority: 1, apiKey: good.apiKey });
      breakEncoder(badFormat, route);
      const { key } = await createKey();

      const response = await callClient(client, key, model, false);
      expect(response.status, await response.clone().text()).toBe(200);
      expect(bad.requests()).toBe(0);
      expect(good.requests()).toBe(1);
      untouched(badId);
    });

    it(`${route}, only candidate: 500 "could not encode" in the caller's shape, breaker never opens`, async () => {
      const bad = healthyUpstream(badFormat);
      installFakeUpstreams({ 'http://bad.fake': bad.handler });
      const model = unique('enc-solo');
      const badId = unique('enc-solo');
      await provide({ id: badId, format: badFormat, origin: 'http://bad.fake', model, apiKey: bad.apiKey });
      breakEncoder(badFormat, route);
      const { key } = await createKey();

      // More than the breaker's threshold: none of them may count.
      for (let call = 0; call < 6; call++) await expectEncodeError500(await callClient(client, key, model, call % 2 === 0), client, badId);
      expect(bad.requests()).toBe(0);
      untouched(badId);
    });
  }

  it('an encoder overflowing its stack on a deep request: 400 invalid_request in the caller shape, health unchanged', async () => {
    const badFormat = otherFormat(client);
    const bad = healthyUpstream(badFormat);
    installFakeUpstreams({ 'http://bad.fake': bad.handler });
    const model = unique('enc-deep');
    const badId = unique('enc-deep');
    await provide({ id: badId, format: badFormat, origin: 'http://bad.fake', model, apiKey: bad.apiKey });
    breakEncoder(badFormat, 'translated', new RangeError('Maximum call stack size exceeded'));
    const { key } = await createKey();

    const message = await expectCallerError(await callClient(client, key, model, false), SHAPE[client], 400);
    expect(message).toContain('nested too deeply');
    expect(bad.requests()).toBe(0);
    untouched(badId);
  });
});
