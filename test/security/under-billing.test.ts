import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { lenientUsage } from '../../src/relay/lenient-usage';
import { REASONING_FLOOR_TOKENS } from '../../src/relay/token-estimate';
import { resetProviderHealth } from '../../src/routing/provider-health';
import { installFakeUpstreams } from '../setup/fake-network';
import { addMockProvider, addProvider, createKey, jsonPost } from '../setup/seed';

interface UsageRow {
  status: number;
  aborted: number;
  usage_estimated: number;
  input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
}

const rowOf = async (keyId: string): Promise<UsageRow> => {
  for (let i = 0; i < 100; i++) {
    const row = await env.DB.prepare('SELECT status, aborted, usage_estimated, input_tokens, output_tokens, reasoning_tokens FROM usage_events WHERE key_id = ?1')
      .bind(keyId)
      .first<UsageRow>();
    if (row !== null) return row;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no usage row for key ${keyId}`);
};

/** An upstream that accepts the request and then only "thinks" (SSE comments), never sending content. */
const silentThinker = () => {
  const probe = { requests: 0 };
  const handler = async (request: Request): Promise<Response> => {
    await request.text();
    probe.requests++;
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        controller.enqueue(encoder.encode(': thinking\n\n'));
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  };
  return { handler, probe };
};

beforeEach(() => resetProviderHealth());

describe('a client that leaves before the first content', () => {
  it('is billed an estimate (input, reasoning floor) and its quota admission is not refunded', async () => {
    const fake = silentThinker();
    installFakeUpstreams({ 'http://thinker.fake': fake.handler });
    await addProvider({
      id: 'thinker',
      protocol: 'openai-chat',
      baseUrl: 'http://thinker.fake/v1',
      apiKey: 'sk-thinker',
      models: ['thinker-1'],
      firstByteTimeoutMs: 10_000,
      idleTimeoutMs: 10_000,
    });
    await addMockProvider();
    const { key, id } = await createKey({ plan: 'free', quotaOverrides: { requestsPer5h: 1 } });
    const controller = new AbortController();
    const request = new Request('http://relay.test/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'thinker-1', stream: true, reasoning_effort: 'high', messages: [{ role: 'user', content: 'think about this for a long while please' }] }),
      signal: controller.signal,
    });
    const pending = worker.fetch(request, env, createExecutionContext());
    for (let i = 0; i < 100 && fake.probe.requests === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fake.probe.requests).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    controller.abort(new Error('client disconnected'));
    const response = await pending;
    await response.body?.cancel().catch(() => {});

    const row = await rowOf(id);
    expect(row.aborted).toBe(1);
    expect(row.usage_estimated).toBe(1);
    expect(row.input_tokens).toBeGreaterThan(0);
    expect(row.output_tokens).toBeGreaterThanOrEqual(REASONING_FLOOR_TOKENS);
    expect(row.reasoning_tokens).toBeGreaterThanOrEqual(REASONING_FLOOR_TOKENS);

    // The one request of the window was spent, not given back.
    const next = await jsonPost('/v1/chat/completions', key, { model: 'mock-after', messages: [{ role: 'user', content: 'hi' }] });
    expect(next.status).toBe(429);
  });
});

describe('a passthrough answer the full decode cannot read', () => {
  const odd = (body: unknown) => async (request: Request): Promise<Response> => {
    await request.text();
    return Response.json(body);
  };

  it('is billed from its usage fields read by name', async () => {
    // `choices` is not an array: the codec's decode fails, the usage object is still there.
    installFakeUpstreams({ 'http://odd.fake': odd({ id: 'x', object: 'chat.completion', choices: 'weird', usage: { prompt_tokens: 33, completion_tokens: 44 } }) });
    await addProvider({ id: 'odd-usage', protocol: 'openai-chat', baseUrl: 'http://odd.fake/v1', apiKey: 'sk-odd', models: ['odd-usage-1'] });
    const { key, id } = await createKey();
    const response = await jsonPost('/v1/chat/completions', key, { model: 'odd-usage-1', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ choices: 'weird' });
    const row = await rowOf(id);
    expect(row).toMatchObject({ status: 200, usage_estimated: 0, input_tokens: 33, output_tokens: 44 });
  });

  it('is billed an estimate from the body lengths when it has no usage either', async () => {
    installFakeUpstreams({ 'http://odder.fake': odd({ id: 'x', choices: 'weird', text: 'an answer of some length that cost the upstream tokens' }) });
    await addProvider({ id: 'odd-none', protocol: 'openai-chat', baseUrl: 'http://odder.fake/v1', apiKey: 'sk-odd', models: ['odd-none-1'] });
    const { key, id } = await createKey();
    const response = await jsonPost('/v1/chat/completions', key, { model: 'odd-none-1', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(200);
    await response.text();
    const row = await rowOf(id);
    expect(row).toMatchObject({ status: 200, usage_estimated: 1 });
    expect(row.input_tokens).toBeGreaterThan(0);
    expect(row.output_tokens).toBeGreaterThan(0);
  });
});

describe('lenientUsage', () => {
  it('reads the three usage shapes by field name', () => {
    expect(lenientUsage({ usage: { prompt_tokens: 5, completion_tokens: 7 } })).toMatchObject({ inputTokens: 5, outputTokens: 7 });
    expect(lenientUsage({ usage: { input_tokens: 5, output_tokens: 7, cache_read_input_tokens: 3 } })).toMatchObject({ inputTokens: 8, outputTokens: 7, cacheReadTokens: 3 });
    expect(lenientUsage({ usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 7, thoughtsTokenCount: 2 } })).toMatchObject({
      inputTokens: 5,
      outputTokens: 9,
      reasoningTokens: 2,
    });
    expect(lenientUsage({ usage: 'none' })).toBeUndefined();
    expect(lenientUsage(null)).toBeUndefined();
  });
});
