import { describe, expect, it, vi } from 'vitest';
import type { WireFormat } from '../../src/ir/format';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../fakes/anthropic-upstream';
import { createOpenAIChatUpstream, FAKE_OPENAI_CHAT_KEY } from '../fakes/openai-chat-upstream';
import { installFakeUpstreams, type FakeHandler } from '../setup/fake-network';
import { addProvider, callRelay, createKey } from '../setup/seed';
import { jsonFault } from '../relay/faults/fault-upstream';
import { callClient, healthyUpstream, unique } from '../relay/faults/harness';
import { baseUrlFor, completedStream, FORMATS, otherFormat, overloadedBody } from '../relay/faults/wire';
import { ECHOED_HEADER, echoingUpstream, type EchoMode } from './echoing-upstream';

/**
 * Upstream failures as the field shows them, through one relay with no reset of shared state between
 * steps (breakers and rate-limit memory carry over, as they do in an isolate): 429 bursts on one
 * model, upstreams that echo their key, 529 storms that pass, HTML error pages, wrong provider keys.
 */
const SECRET_KEY = 'sk-live-echo-0123456789abcdef';
const SECRET_HEADER = 'tenant-secret-value-42';

interface Spec {
  id: string;
  format: WireFormat;
  origin: string;
  models: Array<string | { name: string; upstream: string }>;
  priority?: number;
  apiKey?: string;
  maxRetries?: number;
  headers?: Record<string, string>;
}

const provide = (spec: Spec): Promise<void> =>
  addProvider({
    id: spec.id,
    protocol: spec.format,
    baseUrl: baseUrlFor(spec.format, spec.origin),
    apiKey: spec.apiKey ?? SECRET_KEY,
    models: spec.models,
    priority: spec.priority ?? 0,
    firstByteTimeoutMs: 2_000,
    idleTimeoutMs: 1_000,
    ...(spec.maxRetries === undefined ? {} : { maxRetries: spec.maxRetries }),
    ...(spec.headers === undefined ? {} : { headers: spec.headers }),
  });

/** A relay-made upstream failure (api_error 502): Gemini's error codes have no 502, its clients get 500 INTERNAL. */
const badGatewayFor = (client: WireFormat): number => (client === 'gemini' ? 500 : 502);

const ECHO_MODES: Array<{ mode: EchoMode; stream: boolean }> = [
  { mode: 'http-400', stream: false },
  { mode: 'http-400', stream: true },
  { mode: 'http-500', stream: false },
  { mode: 'stream-error-before-content', stream: true },
  { mode: 'stream-error-after-content', stream: true },
];

const ECHO_CASES = FORMATS.flatMap((client) =>
  [client, otherFormat(client)].flatMap((upstream) => ECHO_MODES.map(({ mode, stream }) => ({ client, upstream, mode, stream }))),
);

describe('an upstream that echoes its key and configured headers', () => {
  it.each(ECHO_CASES)('$client client, $upstream upstream, $mode (stream: $stream): nothing secret reaches the client', async ({ client, upstream, mode, stream }) => {
    const origin = `http://${unique('echo')}.fake`;
    installFakeUpstreams({ [origin]: echoingUpstream(upstream, mode) });
    const model = unique('echo-model');
    await provide({ id: unique('echo'), format: upstream, origin, models: [model], maxRetries: 0, headers: { [ECHOED_HEADER]: SECRET_HEADER } });
    const { key } = await createKey();

    const response = await callClient(client, key, model, stream);
    const text = await response.text();
    const headers = JSON.stringify([...response.headers]);
    expect(text).not.toContain(SECRET_KEY);
    expect(text).not.toContain(SECRET_HEADER);
    expect(headers).not.toContain(SECRET_KEY);
    expect(text).toContain('[redacted]');
    if (mode === 'stream-error-after-content') expect(response.status).toBe(200);
    else expect(response.headers.get('content-type')).toContain('application/json');
  });
  it('token counting: the upstream\'s echo of its key is scrubbed there too', async () => {
    const origin = `http://${unique('echo-count')}.fake`;
    installFakeUpstreams({ [origin]: echoingUpstream('anthropic', 'http-400') });
    const model = unique('echo-count-model');
    await provide({ id: unique('echo-count'), format: 'anthropic', origin, models: [model], headers: { [ECHOED_HEADER]: SECRET_HEADER } });
    const { key } = await createKey();
    const response = await callRelay('/v1/messages/count_tokens', {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(text).not.toContain(SECRET_KEY);
    expect(text).not.toContain(SECRET_HEADER);
    expect(text).toContain('[redacted]');
  });
});

/** An Anthropic upstream that rate-limits one upstream model and serves the others. */
const rateLimitingOne = (limitedModel: string) => {
  const fake = createAnthropicUpstream();
  let limited = 0;
  const handler: FakeHandler = async (request) => {
    const text = await request.text();
    const forward = new Request(request.url, { method: request.method, headers: request.headers, body: text });
    if ((JSON.parse(text) as { model?: string }).model !== limitedModel) return fake(forward);
    limited += 1;
    const body = { type: 'error', error: { type: 'rate_limit_error', message: `Number of request tokens has exceeded your per-minute rate limit (${limited})` } };
    return new Response(JSON.stringify(body), {
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': '7', 'anthropic-ratelimit-tokens-remaining': '0', 'anthropic-ratelimit-tokens-reset': '2026-12-07T00:00:07Z' },
    });
  };
  return { handler, limited: () => limited, served: () => fake.requests.length };
};

describe('one caller\'s 429 does not refuse everyone', () => {
  it('a 429 for one model leaves the provider\'s other models alone, and each request for the limited one asks the upstream again', async () => {
    const upstream = rateLimitingOne('claude-busy');
    installFakeUpstreams({ 'http://busy.fake': upstream.handler });
    const provider = unique('rl');
    await provide({ id: provider, format: 'anthropic', origin: 'http://busy.fake', apiKey: FAKE_ANTHROPIC_KEY, models: [{ name: 'rl-busy', upstream: 'claude-busy' }, { name: 'rl-free', upstream: 'claude-free' }] });
    const { key } = await createKey();

    // Anthropic client, passthrough: the upstream's own body, status, retry-after and quota headers.
    const first = await callClient('anthropic', key, 'rl-busy', false);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(first.headers.get('anthropic-ratelimit-tokens-remaining')).toBe('0');
    expect(first.headers.get('content-type')).toContain('application/json');
    expect(((await first.json()) as { error: { message: string } }).error.message).toContain('per-minute rate limit (1)');

    // Another model of the same provider, right after: served, not refused.
    expect((await callClient('anthropic', key, 'rl-free', false)).status).toBe(200);
    expect((await callClient('openai-chat', key, 'rl-free', true)).status).toBe(200);

    // The limited model again, from an OpenAI client: the relay asks again and relays the upstream's answer in OpenAI's shape.
    const again = await callClient('openai-chat', key, 'rl-busy', false);
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toBe('7');
    expect(again.headers.get('retry-after-ms')).toBe('7000');
    const body = (await again.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe('rate_limit_error');
    expect(body.error.message).toContain('per-minute rate limit (2)');
    expect(upstream.limited()).toBe(2);
    expect(upstream.served()).toBe(2);
  });

  it('with another candidate, the 429 falls back at once and later requests prefer the provider that did not say 429', async () => {
    const upstream = rateLimitingOne('claude-hot');
    const spare = createOpenAIChatUpstream();
    installFakeUpstreams({ 'http://hot.fake': upstream.handler, 'http://spare.fake': spare });
    const model = unique('rl-pair');
    await provide({ id: unique('hot'), format: 'anthropic', origin: 'http://hot.fake', apiKey: FAKE_ANTHROPIC_KEY, models: [{ name: model, upstream: 'claude-hot' }], priority: 0 });
    await provide({ id: unique('spare'), format: 'openai-chat', origin: 'http://spare.fake', apiKey: FAKE_OPENAI_CHAT_KEY, models: [model], priority: 1 });
    const { key } = await createKey();

    for (let i = 0; i < 3; i++) expect((await callClient('gemini', key, model, false)).status).toBe(200);
    expect(upstream.limited()).toBe(1);
    expect(spare.requests).toHaveLength(3);
  });
});

describe('retries before fallback', () => {
  it.each(FORMATS)('%s client: a 529 then a 200 from the same Anthropic upstream is one answered request', async (client) => {
    const fake = createAnthropicUpstream({ replies: [{ kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded' }] });
    const origin = `http://${unique('storm')}.fake`;
    installFakeUpstreams({ [origin]: fake });
    const model = unique('storm-model');
    await provide({ id: unique('storm'), format: 'anthropic', origin, apiKey: FAKE_ANTHROPIC_KEY, models: [model] });
    const { key } = await createKey();

    const response = await callClient(client, key, model, true);
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(completedStream(client, text), text).toBe(true);
    expect(fake.requests).toHaveLength(2);
  });

  it('retries up to maxRetries on the same provider, then falls back', async () => {
    const bad = jsonFault(503, overloadedBody('openai-chat'));
    const good = healthyUpstream('gemini');
    installFakeUpstreams({ 'http://flaky.fake': bad, 'http://steady.fake': good.handler });
    const model = unique('retry-model');
    await provide({ id: unique('flaky'), format: 'openai-chat', origin: 'http://flaky.fake', models: [model], maxRetries: 2, priority: 0 });
    await provide({ id: unique('steady'), format: 'gemini', origin: 'http://steady.fake', apiKey: good.apiKey, models: [model], priority: 1 });
    const { key } = await createKey();

    expect((await callClient('openai-chat', key, model, false)).status).toBe(200);
    expect(bad.probe.requests).toBe(3);
    expect(good.requests()).toBe(1);
  });

  it('waits a short retry-after-ms before retrying, and falls back at once on a long retry-after', async () => {
    const fake = createOpenAIChatUpstream();
    fake.enqueue({ type: 'error', status: 503, headers: { 'retry-after-ms': '300' } });
    const slow = jsonFault(503, overloadedBody('openai-chat'), { 'retry-after': '30' });
    const good = healthyUpstream('anthropic');
    installFakeUpstreams({ 'http://short-wait.fake': fake, 'http://long-wait.fake': slow, 'http://fallback.fake': good.handler });
    const shortModel = unique('short-wait');
    const longModel = unique('long-wait');
    await provide({ id: unique('short'), format: 'openai-chat', origin: 'http://short-wait.fake', apiKey: FAKE_OPENAI_CHAT_KEY, models: [shortModel] });
    await provide({ id: unique('long'), format: 'openai-chat', origin: 'http://long-wait.fake', models: [longModel], priority: 0 });
    await provide({ id: unique('fallback'), format: 'anthropic', origin: 'http://fallback.fake', apiKey: good.apiKey, models: [longModel], priority: 1 });
    const { key } = await createKey();

    const started = Date.now();
    expect((await callClient('openai-chat', key, shortModel, false)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(fake.requests).toHaveLength(2);

    expect((await callClient('openai-chat', key, longModel, false)).status).toBe(200);
    expect(slow.probe.requests).toBe(1);
  });

  it('no retry once the client has gone: a backoff cut short by the client sends nothing more upstream', async () => {
    const fake = createOpenAIChatUpstream({ script: { type: 'error', status: 503, headers: { 'retry-after-ms': '1500' } } });
    installFakeUpstreams({ 'http://gone.fake': fake });
    const model = unique('gone');
    await provide({ id: unique('gone'), format: 'openai-chat', origin: 'http://gone.fake', apiKey: FAKE_OPENAI_CHAT_KEY, models: [model] });
    const { key } = await createKey();
    const controller = new AbortController();
    const call = callClient('openai-chat', key, model, false, controller.signal).then(
      (response) => response.text(),
      () => 'aborted',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort();
    await call;
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    expect(fake.requests).toHaveLength(1);
  });

  it.each([
    ['anthropic', 529],
    ['openai-chat', 503],
    ['openai-responses', 503],
    ['gemini', 503],
  ] as const)('%s client of an upstream that keeps answering 529 gets %i', async (client, status) => {
    const origin = `http://${unique('overloaded')}.fake`;
    installFakeUpstreams({ [origin]: jsonFault(529, overloadedBody('anthropic')) });
    const model = unique('overloaded-model');
    await provide({ id: unique('overloaded'), format: 'anthropic', origin, models: [model], maxRetries: 1 });
    const { key } = await createKey();
    expect((await callClient(client, key, model, false)).status).toBe(status);
  });

  it('an OpenAI-compatible upstream\'s 529 reaches an OpenAI client in passthrough as 503', async () => {
    installFakeUpstreams({ 'http://compat.fake': jsonFault(529, overloadedBody('openai-chat')) });
    const model = unique('compat');
    await provide({ id: unique('compat'), format: 'openai-chat', origin: 'http://compat.fake', models: [model], maxRetries: 0 });
    const { key } = await createKey();
    const response = await callClient('openai-chat', key, model, false);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'server_is_overloaded' } });
  });
});

describe('upstream error text', () => {
  it.each(FORMATS)('%s client: an HTML error page in passthrough becomes a relay error in the client\'s shape', async (client) => {
    const origin = `http://${unique('html')}.fake`;
    installFakeUpstreams({
      [origin]: () => new Response('<html><body><h1>502 Bad Gateway</h1><script>alert(1)</script></body></html>', { status: 502, headers: { 'content-type': 'text/html' } }),
    });
    const model = unique('html-model');
    await provide({ id: unique('html'), format: client, origin, models: [model], maxRetries: 0 });
    const { key } = await createKey();
    const response = await callClient(client, key, model, false);
    expect(response.status).toBe(badGatewayFor(client));
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(JSON.parse(await response.text())).toHaveProperty('error');
  });

  it.each(FORMATS)('%s client: the provider rejecting the relay\'s key is a 502 naming the provider, logged, and the next candidate answers', async (client) => {
    const wrongKey = 'sk-wrong-relay-key-0000000000';
    const rejecting = createOpenAIChatUpstream();
    const good = healthyUpstream(otherFormat(client));
    const origin = `http://${unique('rejecting')}.fake`;
    installFakeUpstreams({ [origin]: rejecting, 'http://good.fake': good.handler });
    const model = unique('cred-model');
    const provider = unique('rejecting');
    await provide({ id: provider, format: 'openai-chat', origin, apiKey: wrongKey, models: [model] });
    const { key } = await createKey();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});

    const response = await callClient(client, key, model, false);
    const text = await response.text();
    expect(response.status).toBe(badGatewayFor(client));
    expect(text).toContain(`the upstream rejected the relay's credentials for provider \\"${provider}\\"`);
    expect(text).not.toContain(wrongKey);
    expect(text).not.toContain(origin);
    expect(rejecting.requests).toHaveLength(1);
    const line = log.mock.calls.map(([first]) => String(first)).find((entry) => entry.includes('upstream rejected the relay credentials'));
    expect(line).toBeDefined();
    expect(JSON.parse(line ?? '{}')).toMatchObject({ providerId: provider, upstreamStatus: 401 });
    expect(line).not.toContain(wrongKey);

    await provide({ id: unique('good'), format: otherFormat(client), origin: 'http://good.fake', apiKey: good.apiKey, models: [model], priority: 1 });
    expect((await callClient(client, key, model, false)).status).toBe(200);
  });
});
