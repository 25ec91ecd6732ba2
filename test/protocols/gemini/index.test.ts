import { describe, expect, it } from 'vitest';
import type { IrMessage, IrRequest } from '../../../src/ir/request';
import type { IrStreamEvent } from '../../../src/ir/stream-event';
import type { EncodedUpstreamRequest } from '../../../src/protocols/codec';
import { geminiCodec } from '../../../src/protocols/gemini';
import { decodeSse } from '../../../src/streams/sse-decode';
import { FAKE_GEMINI_KEY, FAKE_GEMINI_SIGNATURE, createGeminiUpstream } from '../../fakes/gemini-upstream';
import type { GeminiUpstream } from '../../fakes/gemini-upstream';
import { expectIrInvariants, fixture, irRequest } from './helpers';
import { decodeStreamOf } from '../../setup/codec-streams';

const BASE_URL = 'https://generativelanguage.googleapis.com';

const send = (upstream: GeminiUpstream, encoded: EncodedUpstreamRequest, apiKey = FAKE_GEMINI_KEY): Promise<Response> =>
  upstream(
    new Request(`${BASE_URL}${encoded.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...geminiCodec.authHeaders(apiKey), ...encoded.headers },
      body: JSON.stringify(encoded.body),
    }),
  );

const streamEvents = async (response: Response): Promise<IrStreamEvent[]> => {
  const events: IrStreamEvent[] = [];
  if (response.body === null) throw new Error('no body');
  for await (const event of response.body.pipeThrough(decodeSse()).pipeThrough(decodeStreamOf(geminiCodec))) events.push(event);
  return events;
};

const withTools = (messages: IrMessage[]): IrRequest =>
  irRequest({ messages, tools: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }] });

describe('geminiCodec against the fake Gemini upstream', () => {
  it('is the gemini codec and authenticates with x-goog-api-key', () => {
    expect(geminiCodec.format).toBe('gemini');
    expect(geminiCodec.authHeaders('k')).toEqual({ 'x-goog-api-key': 'k' });
    expect(geminiCodec.encodeTokenCount?.(3)).toEqual({ totalTokens: 3 });
  });

  it('a tool loop: the call comes back with its signature, which returns on the next request', async () => {
    const upstream = createGeminiUpstream();
    const first: IrMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] }];
    const response = geminiCodec.decodeResponse(
      await (await send(upstream, geminiCodec.encodeRequest(withTools(first), { model: 'gemini-3-pro', stream: false }))).json(),
    );
    expect(response.stopReason).toBe('tool_use');
    const call = response.content.find((block) => block.type === 'tool_call');
    expect(call).toMatchObject({ type: 'tool_call', id: 'call_fake-response-1_0', name: 'get_weather', arguments: '{}' });
    if (call?.type !== 'tool_call') throw new Error('no call');

    const second: IrMessage[] = [
      ...first,
      { role: 'assistant', content: response.content },
      { role: 'user', content: [{ type: 'tool_result', toolCallId: call.id, content: [{ type: 'text', text: '18C' }] }] },
    ];
    const answer = geminiCodec.decodeResponse(
      await (await send(upstream, geminiCodec.encodeRequest(withTools(second), { model: 'gemini-3-pro', stream: false }))).json(),
    );
    expect(answer.content).toEqual([{ type: 'text', text: 'Hello from the fake Gemini upstream.' }]);

    expect(upstream.requests).toHaveLength(2);
    expect(upstream.requests[1]).toMatchObject({ method: 'POST', model: 'gemini-3-pro', action: 'generateContent' });
    expect(upstream.requests[1]?.headers['x-goog-api-key']).toBe(FAKE_GEMINI_KEY);
    expect(upstream.requests[1]?.body).toMatchObject({
      contents: [
        { role: 'user' },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: {} }, thoughtSignature: FAKE_GEMINI_SIGNATURE }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: '18C' } } }] },
      ],
    });
  });

  it('streams the happy text answer over alt=sse', async () => {
    const upstream = createGeminiUpstream();
    const response = await send(upstream, geminiCodec.encodeRequest(irRequest({ stream: true }), { model: 'gemini-3-pro', stream: true }));
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(upstream.requests[0]?.search).toBe('?alt=sse');
    const events = await streamEvents(response);
    expectIrInvariants(events);
    const text = events.flatMap((event) => (event.type === 'block_delta' && event.delta.type === 'text' ? [event.delta.text] : [])).join('');
    expect(text).toBe('Hello from the fake Gemini upstream.');
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', stopReason: 'end_turn' });
  });

  it('replays a recorded stream through SSE framing', async () => {
    const upstream = createGeminiUpstream({ scripts: [{ kind: 'recorded', text: fixture('google-tool-call.chunks.txt') }] });
    const events = await streamEvents(await send(upstream, geminiCodec.encodeRequest(irRequest(), { model: 'g', stream: true })));
    expectIrInvariants(events);
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', stopReason: 'tool_use' });
  });

  it('scripted and auth errors decode to RelayErrors keeping their meaning', async () => {
    const upstream = createGeminiUpstream({ scripts: [{ kind: 'error', status: 503, message: 'The model is overloaded.' }] });
    const encoded = geminiCodec.encodeRequest(irRequest(), { model: 'g', stream: false });
    const overloaded = await send(upstream, encoded);
    const error = geminiCodec.decodeError(overloaded.status, await overloaded.text(), overloaded.headers);
    expect([error.kind, error.status, error.message]).toEqual(['overloaded', 503, 'gemini: The model is overloaded.']);

    const badKey = await send(upstream, encoded, 'wrong');
    const auth = geminiCodec.decodeError(badKey.status, await badKey.text(), badKey.headers);
    expect([badKey.status, auth.kind, auth.status]).toEqual([400, 'authentication', 401]);
  });

  it('counts tokens through :countTokens', async () => {
    const upstream = createGeminiUpstream();
    const encoded = geminiCodec.encodeCountTokens?.(irRequest(), { model: 'gemini-3-pro', stream: false });
    if (encoded === undefined) throw new Error('no countTokens');
    const response = await send(upstream, encoded);
    expect(upstream.requests[0]?.action).toBe('countTokens');
    expect(geminiCodec.decodeCountTokens?.(await response.json())).toBeGreaterThan(0);
  });

  it('without alt=sse the fake streams one JSON array, as the API does', async () => {
    const upstream = createGeminiUpstream();
    const response = await send(upstream, { path: '/v1beta/models/g:streamGenerateContent', body: { contents: [{ role: 'user', parts: [{ text: 'x' }] }] } });
    const body: unknown = await response.json();
    expect(Array.isArray(body) && body.length).toBe(3);
  });
});
