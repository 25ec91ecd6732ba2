import { describe, expect, it } from 'vitest';
import type { IrRequest } from '../../../src/ir/request';
import { anthropicCodec } from '../../../src/protocols/anthropic';
import { decodeSse } from '../../../src/streams/sse-decode';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../../fakes/anthropic-upstream';
import { checkIrInvariants, collect } from './helpers';
import { decodeStreamOf } from '../../setup/codec-streams';

const BASE = 'https://api.anthropic.test';

/** Sends an IR request the way the relay does: codec body + path + auth headers. */
const send = (upstream: ReturnType<typeof createAnthropicUpstream>, request: IrRequest, stream = false) => {
  const encoded = anthropicCodec.encodeRequest(request, { model: 'claude-upstream', stream });
  return upstream(
    new Request(`${BASE}${encoded.path}`, {
      method: 'POST',
      headers: { ...anthropicCodec.authHeaders(FAKE_ANTHROPIC_KEY), 'content-type': 'application/json' },
      body: JSON.stringify(encoded.body),
    }),
  );
};

const ir = (request: Partial<IrRequest> = {}): IrRequest => ({
  model: 'public',
  system: [],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: false,
  ...request,
});

describe('fake Anthropic upstream', () => {
  it('answers text by default and records the request', async () => {
    const upstream = createAnthropicUpstream();
    const response = await send(upstream, ir());
    expect(response.status).toBe(200);
    const decoded = anthropicCodec.decodeResponse(await response.json());
    expect(decoded.content).toEqual([{ type: 'text', text: 'Hello from the fake upstream.' }]);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/messages',
      headers: { 'x-api-key': FAKE_ANTHROPIC_KEY, 'anthropic-version': '2023-06-01' },
      body: { model: 'claude-upstream', max_tokens: 8192, messages: [{ role: 'user', content: 'hi' }] },
    });
  });

  it('calls the first tool when offered (streamed), then answers text after the result', async () => {
    const upstream = createAnthropicUpstream();
    const tools = [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];
    const response = await send(upstream, ir({ tools, stream: true }), true);
    if (response.body === null) throw new Error('no body');
    const events = await collect(response.body.pipeThrough(decodeSse()).pipeThrough(decodeStreamOf(anthropicCodec)));
    checkIrInvariants(events);
    const args = events.map((event) => (event.type === 'block_delta' && event.delta.type === 'arguments' ? event.delta.json : '')).join('');
    expect(JSON.parse(args)).toEqual({ city: 'example' });
    expect(events.at(-1)).toMatchObject({ type: 'finish', stopReason: 'tool_use' });

    const next = await send(
      upstream,
      ir({
        tools,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
          { role: 'assistant', content: [{ type: 'tool_call', id: 'toolu_fake1', name: 'get_weather', arguments: '{"city":"x"}' }] },
          { role: 'user', content: [{ type: 'tool_result', toolCallId: 'toolu_fake1', content: [{ type: 'text', text: '18C' }] }] },
        ],
      }),
    );
    expect(anthropicCodec.decodeResponse(await next.json()).stopReason).toBe('end_turn');
  });

  it('thinks first when thinking is on, with a signature the codec keeps', async () => {
    const upstream = createAnthropicUpstream();
    const response = await send(upstream, ir({ reasoning: { enabled: true, budgetTokens: 2048 } }));
    const decoded = anthropicCodec.decodeResponse(await response.json());
    expect(decoded.content[0]).toMatchObject({ type: 'thinking', signature: { origin: 'anthropic' } });
  });

  it('checks auth, version, path and required fields like the API', async () => {
    const upstream = createAnthropicUpstream();
    const post = (path: string, headers: Record<string, string>, body: unknown) =>
      upstream(new Request(`${BASE}${path}`, { method: 'POST', headers, body: JSON.stringify(body) }));
    const auth = anthropicCodec.authHeaders(FAKE_ANTHROPIC_KEY);
    const bad = await post('/v1/messages', { 'x-api-key': 'wrong', 'anthropic-version': '2023-06-01' }, {});
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' }, request_id: 'req_fake1' });
    expect((await post('/v1/messages', { 'x-api-key': FAKE_ANTHROPIC_KEY }, {})).status).toBe(400);
    expect((await post('/v1/other', auth, {})).status).toBe(404);
    const noMax = await post('/v1/messages', auth, { model: 'm', messages: [] });
    expect(anthropicCodec.decodeError(noMax.status, await noMax.text(), noMax.headers).message).toBe('anthropic: max_tokens: Field required');
    const bearer = await post('/v1/messages', { authorization: `Bearer ${FAKE_ANTHROPIC_KEY}`, 'anthropic-version': '2023-06-01' }, { model: 'm', max_tokens: 5, messages: [] });
    expect(bearer.status).toBe(200);
    expect(upstream.requests).toHaveLength(5);
  });

  it('plays scripted errors, then falls back to the happy reply', async () => {
    const upstream = createAnthropicUpstream({
      replies: [{ kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded', headers: { 'retry-after': '3' } }],
    });
    const first = await send(upstream, ir());
    const error = anthropicCodec.decodeError(first.status, await first.text(), first.headers);
    expect([first.status, error.kind, error.message, error.retryAfterSeconds]).toEqual([529, 'overloaded', 'anthropic: Overloaded', 3]);
    expect((await send(upstream, ir())).status).toBe(200);
  });

  it('counts tokens on /v1/messages/count_tokens', async () => {
    const upstream = createAnthropicUpstream({ inputTokens: 1234 });
    const encoded = anthropicCodec.encodeCountTokens?.(ir({ maxOutputTokens: 10 }), { model: 'claude-upstream', stream: false });
    if (encoded === undefined) throw new Error('no count tokens');
    const response = await upstream(
      new Request(`${BASE}${encoded.path}`, {
        method: 'POST',
        headers: anthropicCodec.authHeaders(FAKE_ANTHROPIC_KEY),
        body: JSON.stringify(encoded.body),
      }),
    );
    expect(response.status).toBe(200);
    expect(anthropicCodec.decodeCountTokens?.(await response.json())).toBe(1234);
  });
});
