import { describe, expect, it, vi } from 'vitest';
import { createOpenAIChatUpstream, FAKE_OPENAI_CHAT_KEY } from '../fakes/openai-chat-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addProvider, createKey, jsonPost } from '../setup/seed';
import { classifyEdgeStatus, classifyFetchError } from '../../src/relay/upstream-failure';

/** Collects the `relay request` log lines written through console.log. */
const captureRequestLog = () => {
  const lines: Array<Record<string, unknown>> = [];
  const original = console.log;
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    const [first] = args;
    if (typeof first === 'string' && first.startsWith('{"message":"relay request"')) lines.push(JSON.parse(first) as Record<string, unknown>);
    else original(...args);
  });
  return async (requestId: string): Promise<Record<string, unknown> & { raw: string }> => {
    for (let i = 0; i < 100; i++) {
      const line = lines.find((entry) => entry.requestId === requestId);
      if (line !== undefined) return { ...line, raw: JSON.stringify(line) };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no request log line for ${requestId}`);
  };
};

const PROMPT = 'the secret prompt text 7f3a';

describe('the request log line', () => {
  it('has ids, formats, status, timings, tokens and the retry count, and no prompt text or keys', async () => {
    const upstream = createOpenAIChatUpstream();
    let calls = 0;
    installFakeUpstreams({
      'http://log-retry.fake': async (request) => {
        calls++;
        if (calls === 1) return Response.json({ error: { message: 'busy', type: 'server_error' } }, { status: 503 });
        return upstream(request);
      },
    });
    await addProvider({ id: 'log-retry', protocol: 'openai-chat', baseUrl: 'http://log-retry.fake/v1', apiKey: FAKE_OPENAI_CHAT_KEY, models: ['log-model'], maxRetries: 1 });
    const { key, id, accountId } = await createKey();
    const read = captureRequestLog();
    const response = await jsonPost('/v1/chat/completions', key, { model: 'log-model', messages: [{ role: 'user', content: PROMPT }] });
    expect(response.status).toBe(200);
    await response.text();
    const line = await read(response.headers.get('x-request-id') ?? '');
    expect(line).toMatchObject({
      keyId: id,
      accountId,
      model: 'log-model',
      providerId: 'log-retry',
      clientFormat: 'openai-chat',
      upstreamFormat: 'openai-chat',
      status: 200,
      retries: 1,
      fallbacks: 0,
      errorKind: null,
      upstreamFailure: null,
    });
    expect(line.durationMs).toBeGreaterThanOrEqual(0);
    expect(typeof line.ttfbMs).toBe('number');
    expect(line.inputTokens).toBeGreaterThan(0);
    expect(line.raw).not.toContain(PROMPT);
    expect(line.raw).not.toContain(key);
    expect(line.raw).not.toContain(FAKE_OPENAI_CHAT_KEY);
  });

  it('counts a fallback to the next provider after a refused connection, and names what failed', async () => {
    const upstream = createOpenAIChatUpstream();
    installFakeUpstreams({
      'http://log-down.fake': () => {
        throw new TypeError('connect ECONNREFUSED 10.1.2.3:443');
      },
      'http://log-up.fake': upstream,
    });
    await addProvider({ id: 'log-down', protocol: 'openai-chat', baseUrl: 'http://log-down.fake/v1', apiKey: FAKE_OPENAI_CHAT_KEY, models: ['log-fallback'], maxRetries: 0, priority: 0 });
    await addProvider({ id: 'log-up', protocol: 'openai-chat', baseUrl: 'http://log-up.fake/v1', apiKey: FAKE_OPENAI_CHAT_KEY, models: ['log-fallback'], priority: 10 });
    const { key } = await createKey();
    const read = captureRequestLog();
    const response = await jsonPost('/v1/chat/completions', key, { model: 'log-fallback', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(200);
    await response.text();
    expect(await read(response.headers.get('x-request-id') ?? '')).toMatchObject({ providerId: 'log-up', retries: 0, fallbacks: 1, status: 200 });
  });
});

describe('upstream failures say what failed', () => {
  it('a DNS failure: the client reads "DNS lookup" and the provider id, never the host; the log says dns', async () => {
    installFakeUpstreams({
      'http://dns-missing.fake': () => {
        throw new Error('DNS lookup failed; params.host = dns-missing.fake');
      },
    });
    await addProvider({ id: 'dns-gone', protocol: 'openai-chat', baseUrl: 'http://dns-missing.fake/v1', apiKey: FAKE_OPENAI_CHAT_KEY, models: ['dns-model'], maxRetries: 0 });
    const { key } = await createKey();
    const read = captureRequestLog();
    const response = await jsonPost('/v1/chat/completions', key, { model: 'dns-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(text).toContain('provider \\"dns-gone\\": DNS lookup of the upstream host failed');
    expect(text).not.toContain('dns-missing.fake');
    expect(await read(response.headers.get('x-request-id') ?? '')).toMatchObject({ status: 502, errorKind: 'api_error', upstreamFailure: 'dns', upstreamStatus: 502 });
  });

  it("Cloudflare's HTML page for an origin it could not reach (525) is a TLS failure, and its page never reaches the client", async () => {
    installFakeUpstreams({
      'http://edge.fake': () => new Response('<html>origin tls.internal.example failed (525)</html>', { status: 525, headers: { 'content-type': 'text/html' } }),
    });
    await addProvider({ id: 'edge-tls', protocol: 'anthropic', baseUrl: 'http://edge.fake', apiKey: 'sk-edge-secret', models: ['edge-model'], maxRetries: 0 });
    const { key } = await createKey();
    const read = captureRequestLog();
    const response = await jsonPost('/v1/messages', key, { model: 'edge-model', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    const text = await response.text();
    expect(text).toContain('TLS handshake with the upstream failed');
    expect(text).not.toContain('tls.internal.example');
    expect(await read(response.headers.get('x-request-id') ?? '')).toMatchObject({ upstreamFailure: 'tls', upstreamStatus: 525, clientFormat: 'anthropic' });
  });

  it('classifies runtime messages and edge statuses', () => {
    expect(classifyFetchError(new Error('DNS lookup failed'))).toBe('dns');
    expect(classifyFetchError(new TypeError("TLS peer's certificate is not trusted"))).toBe('tls');
    expect(classifyFetchError(new Error('connect ECONNREFUSED 127.0.0.1:1'))).toBe('connect');
    expect(classifyFetchError(new Error('Network connection lost.'))).toBe('network');
    expect(classifyEdgeStatus(530, 'text/html')).toBe('dns');
    expect(classifyEdgeStatus(522, null)).toBe('connect');
    expect(classifyEdgeStatus(525, 'application/json')).toBeUndefined();
    expect(classifyEdgeStatus(503, 'text/html')).toBeUndefined();
  });
});
