import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import type { IrStreamEvent } from '../../../src/ir/stream-event';
import type { IrUsage } from '../../../src/ir/usage';
import { encodeResponsesStream } from '../../../src/protocols/openai-responses/encode-stream';
import { formatSseEvent } from '../../../src/streams/sse-encode';
import { clientContext, encodeEvents, pipe } from './helpers';
import type { EncodedEvent } from './helpers';

const usage = (overrides: Partial<IrUsage> = {}): IrUsage => ({
  inputTokens: 25,
  outputTokens: 12,
  cacheReadTokens: 5,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  ...overrides,
});

const start: IrStreamEvent = { type: 'start', id: 'msg_1', model: 'upstream-model' };
const text = (index: number, ...chunks: string[]): IrStreamEvent[] => [
  { type: 'block_start', index, block: { type: 'text' } },
  ...chunks.map((chunk): IrStreamEvent => ({ type: 'block_delta', index, delta: { type: 'text', text: chunk } })),
  { type: 'block_stop', index },
];
const tool = (index: number, id: string, name: string, ...chunks: string[]): IrStreamEvent[] => [
  { type: 'block_start', index, block: { type: 'tool_call', id, name } },
  ...chunks.map((json): IrStreamEvent => ({ type: 'block_delta', index, delta: { type: 'arguments', json } })),
  { type: 'block_stop', index },
];

const types = (events: EncodedEvent[]) => events.map((event) => event.data.type);
const last = (events: EncodedEvent[]) => {
  const event = events.at(-1);
  if (event === undefined) throw new Error('no events');
  return event.data;
};
const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value)) : {};

/** Runs the encoded stream through openai-node's own ResponseStream (what real clients use). */
const throughSdk = async (events: IrStreamEvent[]) => {
  const sse = await pipe(events, encodeResponsesStream(clientContext()));
  const body = sse.map(formatSseEvent).join('');
  const client = new OpenAI({
    apiKey: 'sk-test',
    baseURL: 'https://relay.test/v1',
    maxRetries: 0,
    fetch: async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
  });
  const stream = client.responses.stream({ model: 'public-model', input: 'hi' });
  const seen: string[] = [];
  for await (const event of stream) seen.push(event.type);
  return { seen, final: await stream.finalResponse() };
};

describe('encodeResponsesStream', () => {
  it('emits the canonical text sequence with sequence numbers from 0 and event names = types', async () => {
    const events = await encodeEvents([start, ...text(0, 'Hel', 'lo'), { type: 'finish', stopReason: 'end_turn', usage: usage() }]);
    expect(types(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    events.forEach((event, index) => {
      expect(event.data.sequence_number).toBe(index);
      expect(event.event).toBe(event.data.type);
    });
    const created = record(events[0]?.data.response);
    expect(created).toMatchObject({ id: 'resp_msg_1', object: 'response', status: 'in_progress', model: 'public-model', output: [], usage: null });
    const added = events[2]?.data;
    const item = record(added?.item);
    expect(added).toMatchObject({ output_index: 0, item: { type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
    expect(String(item.id)).toMatch(/^msg_/);
    for (const event of events.slice(3, 8)) expect(event.data).toMatchObject({ item_id: item.id, output_index: 0, content_index: 0 });
    expect(events[6]?.data).toMatchObject({ text: 'Hello' });
    expect(events[7]?.data).toMatchObject({ part: { type: 'output_text', text: 'Hello', annotations: [] } });
    expect(last(events)).toMatchObject({
      response: {
        id: 'resp_msg_1',
        status: 'completed',
        output: [{ id: item.id, type: 'message', status: 'completed', content: [{ type: 'output_text', text: 'Hello' }] }],
        usage: {
          input_tokens: 25,
          input_tokens_details: { cached_tokens: 5, cache_write_tokens: 0 },
          output_tokens: 12,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 37,
        },
      },
    });
  });

  it('turns an Anthropic text-then-tool stream into a message item, then a function_call item with call_id kept', async () => {
    const events = await encodeEvents([
      start,
      ...text(0, 'Checking.'),
      ...tool(1, 'toolu_1', 'get_weather', '{"city":', '"Paris"}'),
      { type: 'finish', stopReason: 'tool_use', usage: usage() },
    ]);
    expect(types(events).slice(7)).toEqual([
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const fc = record(events[8]?.data.item);
    expect(events[8]?.data).toMatchObject({ output_index: 1, item: { type: 'function_call', status: 'in_progress', call_id: 'toolu_1', name: 'get_weather', arguments: '' } });
    expect(String(fc.id)).toMatch(/^fc_/);
    expect(events[9]?.data).toMatchObject({ item_id: fc.id, output_index: 1, delta: '{"city":' });
    expect(events[11]?.data).toMatchObject({ item_id: fc.id, output_index: 1, name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(events[12]?.data).toMatchObject({ output_index: 1, item: { id: fc.id, status: 'completed', arguments: '{"city":"Paris"}' } });
    const output = record(last(events).response).output;
    expect(Array.isArray(output) && output.map((entry) => record(entry).type)).toEqual(['message', 'function_call']);
  });

  it('turns thinking + a foreign signature into a reasoning item with one summary part and an envelope', async () => {
    const events = await encodeEvents([
      start,
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'block_delta', index: 0, delta: { type: 'thinking', text: 'Need ' } },
      { type: 'block_delta', index: 0, delta: { type: 'thinking', text: 'both.' } },
      { type: 'block_delta', index: 0, delta: { type: 'signature', signature: { origin: 'gemini', placement: 'fc', value: 'U0lH' } } },
      { type: 'block_stop', index: 0 },
      ...tool(1, 'call_r9_0', 'get_weather', '{"city":"Paris"}'),
      { type: 'finish', stopReason: 'tool_use', usage: usage({ outputTokens: 56, reasoningTokens: 40 }) },
    ]);
    expect(types(events).slice(2, 9)).toEqual([
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
    ]);
    const rs = record(events[2]?.data.item);
    expect(String(rs.id)).toMatch(/^rs_/);
    expect(events[2]?.data).toMatchObject({ output_index: 0, item: { type: 'reasoning', summary: [] } });
    expect(events[3]?.data).toMatchObject({ item_id: rs.id, output_index: 0, summary_index: 0, part: { type: 'summary_text', text: '' } });
    expect(events[6]?.data).toMatchObject({ summary_index: 0, text: 'Need both.' });
    expect(events[8]?.data).toMatchObject({
      item: { id: rs.id, type: 'reasoning', summary: [{ type: 'summary_text', text: 'Need both.' }], encrypted_content: 'prx1:gem:fc:U0lH' },
    });
    expect(last(events)).toMatchObject({ response: { usage: { output_tokens: 56, output_tokens_details: { reasoning_tokens: 40 } } } });
  });

  it('streams parallel calls as separate items and gives a no-argument call "{}"', async () => {
    const events = await encodeEvents([
      start,
      ...tool(0, 'call_a', 'read', '{"path":"a"}'),
      ...tool(1, 'call_b', 'list_files'),
      { type: 'finish', stopReason: 'tool_use', usage: usage() },
    ]);
    const adds = events.filter((event) => event.data.type === 'response.output_item.added').map((event) => event.data.output_index);
    expect(adds).toEqual([0, 1]);
    const second = events.filter((event) => event.data.output_index === 1).map((event) => [event.data.type, event.data.delta ?? event.data.arguments]);
    expect(second).toEqual([
      ['response.output_item.added', undefined],
      ['response.function_call_arguments.delta', '{}'],
      ['response.function_call_arguments.done', '{}'],
      ['response.output_item.done', undefined],
    ]);
  });

  it('ends with response.incomplete for max_tokens and content_filter', async () => {
    const truncated = await encodeEvents([start, ...text(0, 'cut'), { type: 'finish', stopReason: 'max_tokens', usage: usage() }]);
    expect(last(truncated)).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } });
    const refused = await encodeEvents([start, { type: 'finish', stopReason: 'content_filter', usage: usage() }]);
    expect(types(refused)).toEqual(['response.created', 'response.in_progress', 'response.incomplete']);
    expect(last(refused)).toMatchObject({ response: { incomplete_details: { reason: 'content_filter' }, output: [] } });
  });

  it('sends an error mid-stream as `error` then `response.failed`, with the open item marked incomplete', async () => {
    const error = new RelayError('rate_limit', 429, 'anthropic: slow down');
    const events = await encodeEvents([start, { type: 'block_start', index: 0, block: { type: 'text' } }, { type: 'block_delta', index: 0, delta: { type: 'text', text: 'par' } }, { type: 'error', error }]);
    expect(types(events).slice(-2)).toEqual(['error', 'response.failed']);
    expect(events.at(-2)?.data).toMatchObject({
      code: 'rate_limit_exceeded',
      message: 'anthropic: slow down',
      error: { type: 'rate_limit_error', code: 'rate_limit_exceeded', message: 'anthropic: slow down' },
    });
    expect(last(events)).toMatchObject({
      response: { status: 'failed', error: { code: 'rate_limit_exceeded', message: 'anthropic: slow down' }, output: [{ status: 'incomplete' }] },
    });
  });

  it('opens the response before an error that arrives first, and fails a stream that ends without finish', async () => {
    const early = await encodeEvents([{ type: 'error', error: new RelayError('overloaded', 503, 'anthropic: Overloaded') }]);
    expect(types(early)).toEqual(['response.created', 'response.in_progress', 'error', 'response.failed']);
    expect(record(early[0]?.data.response).id).toBe('resp_req_test');

    const cut = await encodeEvents([start, ...text(0, 'a')]);
    expect(types(cut).slice(-2)).toEqual(['error', 'response.failed']);
    expect(cut.at(-2)?.data).toMatchObject({ message: 'upstream stream ended before completion', code: 'server_error' });
  });

  it('emits nothing for an empty text block, keepalive for ping, and drops redacted thinking', async () => {
    const events = await encodeEvents([
      start,
      ...text(0),
      { type: 'ping' },
      { type: 'block_start', index: 1, block: { type: 'redacted_thinking', data: 'opaque' } },
      { type: 'block_stop', index: 1 },
      { type: 'finish', stopReason: 'end_turn', usage: usage() },
    ]);
    expect(types(events)).toEqual(['response.created', 'response.in_progress', 'keepalive', 'response.completed']);
    expect(events[2]?.data).toEqual({ type: 'keepalive', sequence_number: 2 });
  });

  it('splits a flattened namespace tool back into name + namespace and echoes request params', async () => {
    const context = clientContext({
      tools: [
        { name: 'exec_command', parameters: { type: 'object' } },
        { name: 'mcp__docs__search', parameters: { type: 'object' }, namespace: { name: 'mcp__docs__', member: 'search' } },
      ],
      toolChoice: { type: 'auto' },
      temperature: 0.3,
      maxOutputTokens: 100,
      reasoning: { enabled: true, effort: 'low', visible: true },
    });
    const events = await encodeEvents([start, ...tool(0, 'call_1', 'mcp__docs__search', '{}'), { type: 'finish', stopReason: 'tool_use', usage: usage() }], context);
    expect(events[2]?.data).toMatchObject({ item: { name: 'search', namespace: 'mcp__docs__', call_id: 'call_1' } });
    expect(record(events[0]?.data.response)).toMatchObject({
      temperature: 0.3,
      max_output_tokens: 100,
      tool_choice: 'auto',
      reasoning: { effort: 'low', summary: 'auto' },
      tools: [
        { type: 'function', name: 'exec_command' },
        { type: 'namespace', name: 'mcp__docs__', tools: [{ type: 'function', name: 'search' }] },
      ],
    });
  });

  it('is accepted by openai-node ResponseStream: final response = terminal output', async () => {
    const { seen, final } = await throughSdk([
      start,
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'block_delta', index: 0, delta: { type: 'thinking', text: 'plan' } },
      { type: 'block_delta', index: 0, delta: { type: 'signature', signature: { origin: 'anthropic', value: 'SIG' } } },
      { type: 'block_stop', index: 0 },
      ...text(1, 'Hi ', 'there'),
      ...tool(2, 'toolu_a', 'read', '{"p":1}'),
      ...tool(3, 'toolu_b', 'noargs'),
      { type: 'ping' },
      { type: 'finish', stopReason: 'tool_use', usage: usage() },
    ]);
    expect(seen[0]).toBe('response.created');
    expect(seen.at(-1)).toBe('response.completed');
    expect(final.status).toBe('completed');
    expect(final.output_text).toBe('Hi there');
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call', 'function_call']);
    const calls = final.output.flatMap((item) => (item.type === 'function_call' ? [[item.call_id, item.arguments]] : []));
    expect(calls).toEqual([
      ['toolu_a', '{"p":1}'],
      ['toolu_b', '{}'],
    ]);
    expect(final.usage?.total_tokens).toBe(37);
  });

  it('makes openai-node throw an APIError for an in-stream error', async () => {
    await expect(throughSdk([start, { type: 'error', error: new RelayError('api_error', 500, 'gemini: boom') }])).rejects.toThrow(/gemini: boom/);
  });
});
