import { describe, expect, it } from 'vitest';
import type { IrStreamEvent } from '../../../src/ir/stream-event';
import { openaiResponsesCodec } from '../../../src/protocols/openai-responses';
import { decodeSse } from '../../../src/streams/sse-decode';
import { createOpenAIResponsesUpstream, FAKE_OPENAI_RESPONSES_KEY } from '../../fakes/openai-responses-upstream';
import toolFixture from '../../fixtures/openai-responses/issue-19493-gpt-5.1-tool-call.chunks.txt?raw';
import { baseRequest, expectIrInvariants } from './helpers';
import { decodeStreamOf } from '../../setup/codec-streams';

const post = (fake: ReturnType<typeof createOpenAIResponsesUpstream>, path: string, body: unknown, key = FAKE_OPENAI_RESPONSES_KEY) =>
  fake(new Request(`https://fake.test${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: JSON.stringify(body) }));

const irEvents = async (response: Response): Promise<IrStreamEvent[]> => {
  if (response.body === null) throw new Error('no body');
  const out: IrStreamEvent[] = [];
  for await (const event of response.body.pipeThrough(decodeSse()).pipeThrough(decodeStreamOf(openaiResponsesCodec))) out.push(event);
  return out;
};

describe('fake Responses upstream', () => {
  it('answers what the codec encodes: a tool call when tools are offered, text otherwise (JSON)', async () => {
    const fake = createOpenAIResponsesUpstream();
    const tools = [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];
    const encoded = openaiResponsesCodec.encodeRequest(baseRequest({ stream: false, tools }), { model: 'gpt-x', stream: false });
    const response = await post(fake, `/v1${encoded.path}`, encoded.body);
    const decoded = openaiResponsesCodec.decodeResponse(await response.json());
    expect(decoded.stopReason).toBe('tool_use');
    expect(decoded.content[0]).toMatchObject({ type: 'tool_call', name: 'get_weather', arguments: '{"city":"example"}' });
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1/responses', body: { model: 'gpt-x' } });
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${FAKE_OPENAI_RESPONSES_KEY}`);
  });

  it('streams a happy tool call and replays recorded chunks with their event names', async () => {
    const fake = createOpenAIResponsesUpstream();
    const tools = [{ type: 'function', name: 'ls', parameters: { type: 'object' }, strict: false }];
    const happy = await irEvents(await post(fake, '/v1/responses', { model: 'm', input: 'x', tools, stream: true }));
    expectIrInvariants(happy);
    expect(happy.find((event) => event.type === 'finish')).toMatchObject({ stopReason: 'tool_use' });

    fake.enqueue({ type: 'recorded', text: toolFixture });
    const replayed = await post(fake, '/v1/responses', { model: 'm', input: 'x', stream: true });
    const text = await replayed.clone().text();
    expect(text.startsWith('event: response.created\ndata: {"type":"response.created"')).toBe(true);
    expect(text).not.toContain('[DONE]');
    expect((await irEvents(replayed)).at(-1)).toMatchObject({ type: 'finish', stopReason: 'tool_use' });
  });

  it('checks auth and path, answers scripted errors in OpenAI shape, and counts input tokens', async () => {
    const fake = createOpenAIResponsesUpstream({ script: { type: 'error', status: 429, headers: { 'retry-after': '3' } } });
    const unauthorized = await post(fake, '/v1/responses', { model: 'm', input: 'x' }, 'wrong');
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    expect((await post(fake, '/v1/chat/completions', { model: 'm' })).status).toBe(404);

    const limited = await post(fake, '/v1/responses', { model: 'm', input: 'x' });
    const error = openaiResponsesCodec.decodeError(limited.status, await limited.text(), limited.headers);
    expect(error).toMatchObject({ kind: 'rate_limit', status: 429, retryAfterSeconds: 3, code: 'rate_limit_exceeded' });

    const count = await post(fake, '/v1/responses/input_tokens', { model: 'm', input: 'hello there' });
    expect(openaiResponsesCodec.decodeCountTokens?.(await count.json())).toBeGreaterThan(0);
  });
});
