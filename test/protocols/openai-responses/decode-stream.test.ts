import { describe, expect, it } from 'vitest';
import type { IrStreamEvent } from '../../../src/ir/stream-event';
import { decodeSse } from '../../../src/streams/sse-decode';
import { decodeResponsesStream } from '../../../src/protocols/openai-responses/decode-stream';
import { createOpenAIResponsesUpstream, FAKE_OPENAI_RESPONSES_KEY, FAKE_OPENAI_RESPONSES_TEXT } from '../../fakes/openai-responses-upstream';
import errorFixture from '../../fixtures/openai-responses/openai-error.1.chunks.txt?raw';
import reasoningFixture from '../../fixtures/openai-responses/openai-issue-11239.1.chunks.txt?raw';
import toolFixture from '../../fixtures/openai-responses/issue-19493-gpt-5.1-tool-call.chunks.txt?raw';
import { decodeEvents, expectIrInvariants, payloadEvents, recordedEvents } from './helpers';

const finishOf = (events: IrStreamEvent[]) => events.find((event) => event.type === 'finish');
const errorOf = (events: IrStreamEvent[]) => events.find((event) => event.type === 'error');
const textOf = (events: IrStreamEvent[], kind: 'text' | 'thinking') =>
  events.map((event) => (event.type === 'block_delta' && event.delta.type === kind ? event.delta.text : '')).join('');

const created = { type: 'response.created', response: { id: 'resp_1', model: 'gpt-x', status: 'in_progress', output: [] } };
const completed = (output: unknown[] = [], usage: unknown = null, status = 'completed', extra: Record<string, unknown> = {}) => ({
  type: status === 'incomplete' ? 'response.incomplete' : 'response.completed',
  response: { id: 'resp_1', model: 'gpt-x', status, output, usage, ...extra },
});

describe('decodeResponsesStream: recorded streams', () => {
  it('replays a gpt-5.1 tool call (issue-19493): one tool block, arguments split, usage, tool_use', async () => {
    const events = await decodeEvents(recordedEvents(toolFixture));
    expectIrInvariants(events);
    expect(events[0]).toEqual({ type: 'start', id: 'resp_0775572d10a16b66006a8d85285ef487d2ae865d3657af7276', model: 'gpt-5.1-2025-11-13' });
    expect(events[1]).toEqual({ type: 'block_start', index: 0, block: { type: 'tool_call', id: 'call_2FQdm3Br7Qb35YUBSkDR7kue', name: 'get_weather' } });
    const args = events.map((event) => (event.type === 'block_delta' && event.delta.type === 'arguments' ? event.delta.json : '')).join('');
    expect(args).toBe('{"city":"Beijing"}');
    expect(finishOf(events)).toEqual({
      type: 'finish',
      stopReason: 'tool_use',
      usage: { inputTokens: 45, outputTokens: 25, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    });
  });

  it('replays reasoning with encrypted_content then a no-arg call (issue-11239): signature from output_item.done before block_stop', async () => {
    const events = await decodeEvents(recordedEvents(reasoningFixture));
    expectIrInvariants(events);
    const [, thinkingStart, signature, thinkingStop, toolStart, toolArgs, toolStop] = events;
    expect(thinkingStart).toEqual({ type: 'block_start', index: 0, block: { type: 'thinking' } });
    expect(signature?.type).toBe('block_delta');
    if (signature?.type !== 'block_delta' || signature.delta.type !== 'signature') throw new Error('expected a signature delta');
    expect(signature.delta.signature.origin).toBe('openai-responses');
    expect(signature.delta.signature.itemId).toBe('rs_0039ff4ed0aeca1e016ac948b4e4c887d2bbf14d31fdc26ccd');
    // The done item's encrypted_content, not the (different) one sent with output_item.added.
    expect(signature.delta.signature.value.startsWith('gAAAAABqyUi1zGMgiU3FG0QU48Fz')).toBe(true);
    expect(thinkingStop).toEqual({ type: 'block_stop', index: 0 });
    expect(toolStart).toEqual({ type: 'block_start', index: 1, block: { type: 'tool_call', id: 'call_LUBOONF2cY8HDQdBwiEQ9fk1', name: 'lookupCode' } });
    expect(toolArgs).toEqual({ type: 'block_delta', index: 1, delta: { type: 'arguments', json: '{}' } });
    expect(toolStop).toEqual({ type: 'block_stop', index: 1 });
    expect(finishOf(events)).toMatchObject({ stopReason: 'tool_use', usage: { inputTokens: 55, outputTokens: 25, reasoningTokens: 9 } });
  });

  it('replays a mid-stream error (insufficient_quota): one IR error, nothing after it', async () => {
    const events = await decodeEvents(recordedEvents(errorFixture));
    expectIrInvariants(events);
    expect(events.map((event) => event.type)).toEqual(['start', 'error']);
    const error = errorOf(events);
    if (error?.type !== 'error') throw new Error('expected an error');
    expect(error.error.kind).toBe('insufficient_quota');
    expect(error.error.status).toBe(429);
    expect(error.error.code).toBe('insufficient_quota');
    expect(error.error.message).toMatch(/^openai: You exceeded your current quota/);
  });

  it('decodes what the fake upstream streams (event names, no [DONE])', async () => {
    const fake = createOpenAIResponsesUpstream();
    const response = await fake(
      new Request('https://fake.test/v1/responses', {
        method: 'POST',
        headers: { authorization: `Bearer ${FAKE_OPENAI_RESPONSES_KEY}` },
        body: JSON.stringify({ model: 'm', input: 'hi', stream: true }),
      }),
    );
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const body = response.body;
    if (body === null) throw new Error('no body');
    const events: IrStreamEvent[] = [];
    for await (const event of body.pipeThrough(decodeSse()).pipeThrough(decodeResponsesStream())) events.push(event);
    expectIrInvariants(events);
    expect(textOf(events, 'text')).toBe(FAKE_OPENAI_RESPONSES_TEXT);
    expect(finishOf(events)).toMatchObject({ stopReason: 'end_turn', usage: { inputTokens: 21, outputTokens: 9 } });
  });
});

describe('decodeResponsesStream: state machine', () => {
  it('joins reasoning summary parts with a blank line and keeps text parts as separate blocks', async () => {
    const at = { item_id: 'rs_1', output_index: 0 };
    const msg = { item_id: 'msg_1', output_index: 1 };
    const events = await decodeEvents(
      payloadEvents([
        created,
        { type: 'response.output_item.added', output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } },
        { type: 'response.reasoning_summary_part.added', ...at, summary_index: 0, part: { type: 'summary_text', text: '' } },
        { type: 'response.reasoning_summary_text.delta', ...at, summary_index: 0, delta: 'First.' },
        { type: 'response.reasoning_summary_part.done', ...at, summary_index: 0, part: { type: 'summary_text', text: 'First.' } },
        { type: 'response.reasoning_summary_part.added', ...at, summary_index: 1, part: { type: 'summary_text', text: '' } },
        { type: 'response.reasoning_summary_text.delta', ...at, summary_index: 1, delta: 'Second.' },
        { type: 'response.output_item.done', output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [], encrypted_content: 'ENC' } },
        { type: 'response.output_item.added', output_index: 1, item: { id: 'msg_1', type: 'message', role: 'assistant', content: [] } },
        { type: 'response.content_part.added', ...msg, content_index: 0, part: { type: 'output_text', text: '' } },
        { type: 'response.output_text.delta', ...msg, content_index: 0, delta: 'A' },
        { type: 'response.output_text.done', ...msg, content_index: 0, text: 'A' },
        { type: 'response.content_part.done', ...msg, content_index: 0, part: { type: 'output_text', text: 'A' } },
        { type: 'response.content_part.added', ...msg, content_index: 1, part: { type: 'output_text', text: '' } },
        { type: 'response.output_text.delta', ...msg, content_index: 1, delta: 'B' },
        { type: 'response.content_part.done', ...msg, content_index: 1, part: { type: 'output_text', text: 'B' } },
        { type: 'response.output_item.done', output_index: 1, item: { id: 'msg_1', type: 'message', content: [] } },
        completed([], { input_tokens: 10, output_tokens: 5, output_tokens_details: { reasoning_tokens: 3 } }),
        '[DONE]',
      ]),
    );
    expectIrInvariants(events);
    expect(textOf(events, 'thinking')).toBe('First.\n\nSecond.');
    expect(events.filter((event) => event.type === 'block_start').map((event) => event.type === 'block_start' && event.block.type)).toEqual([
      'thinking',
      'text',
      'text',
    ]);
    expect(events).toContainEqual({
      type: 'block_delta',
      index: 0,
      delta: { type: 'signature', signature: { origin: 'openai-responses', value: 'ENC', itemId: 'rs_1' } },
    });
    expect(finishOf(events)).toMatchObject({ stopReason: 'end_turn', usage: { inputTokens: 10, outputTokens: 5, reasoningTokens: 3 } });
  });

  it('drives by output_index when item_id rotates per event (some Responses-compatible upstreams do)', async () => {
    const events = await decodeEvents(
      payloadEvents([
        created,
        { type: 'response.output_item.added', output_index: 0, item: { id: 'fc_a', type: 'function_call', call_id: 'call_1', name: 'ls', arguments: '' } },
        { type: 'response.function_call_arguments.delta', item_id: 'fc_b', output_index: 0, delta: '{"p":' },
        { type: 'response.function_call_arguments.delta', item_id: 'fc_c', output_index: 0, delta: '"."}' },
        { type: 'response.output_item.done', output_index: 0, item: { id: 'fc_d', type: 'function_call', call_id: 'call_1', name: 'ls', arguments: '{"p":"."}' } },
        completed(),
      ]),
    );
    expectIrInvariants(events);
    expect(events.filter((event) => event.type === 'block_delta')).toHaveLength(2);
    expect(finishOf(events)?.stopReason).toBe('tool_use');
  });

  it('flattens a namespaced function call the way the request decoder flattens namespace tools', async () => {
    const events = await decodeEvents(
      payloadEvents([
        created,
        { type: 'response.output_item.added', output_index: 0, item: { id: 'fc_1', type: 'function_call', call_id: 'c', name: 'search', namespace: 'mcp__docs__', arguments: '{}' } },
        { type: 'response.output_item.done', output_index: 0, item: { id: 'fc_1', type: 'function_call', call_id: 'c', name: 'search', namespace: 'mcp__docs__', arguments: '{}' } },
        completed(),
      ]),
    );
    expect(events[1]).toEqual({ type: 'block_start', index: 0, block: { type: 'tool_call', id: 'c', name: 'mcp__docs__search' } });
    expect(events.filter((event) => event.type === 'block_delta')).toEqual([{ type: 'block_delta', index: 0, delta: { type: 'arguments', json: '{}' } }]);
  });

  it('maps a refusal part to text + content_filter, and incomplete/max_output_tokens to max_tokens', async () => {
    const refusal = await decodeEvents(
      payloadEvents([
        created,
        { type: 'response.output_item.added', output_index: 0, item: { id: 'msg_1', type: 'message', content: [] } },
        { type: 'response.content_part.added', item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'refusal', refusal: '' } },
        { type: 'response.refusal.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'I cannot help.' },
        { type: 'response.refusal.done', item_id: 'msg_1', output_index: 0, content_index: 0, refusal: 'I cannot help.' },
        { type: 'response.output_item.done', output_index: 0, item: { id: 'msg_1', type: 'message', content: [{ type: 'refusal', refusal: 'I cannot help.' }] } },
        completed(),
      ]),
    );
    expectIrInvariants(refusal);
    expect(textOf(refusal, 'text')).toBe('I cannot help.');
    expect(finishOf(refusal)?.stopReason).toBe('content_filter');

    const truncated = await decodeEvents(payloadEvents([created, completed([], null, 'incomplete', { incomplete_details: { reason: 'max_output_tokens' } })]));
    expect(finishOf(truncated)?.stopReason).toBe('max_tokens');
  });

  it('recovers content from servers that send only done events, or only the terminal response', async () => {
    const doneOnly = await decodeEvents(
      payloadEvents([
        created,
        { type: 'response.output_item.done', output_index: 0, item: { id: 'msg_1', type: 'message', content: [{ type: 'output_text', text: 'whole' }] } },
        completed(),
      ]),
    );
    expectIrInvariants(doneOnly);
    expect(textOf(doneOnly, 'text')).toBe('whole');

    const terminalOnly = await decodeEvents(
      payloadEvents([
        completed([
          { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'think' }] },
          { id: 'fc_1', type: 'function_call', call_id: 'call_9', name: 'ls', arguments: '{}' },
        ]),
      ]),
    );
    expectIrInvariants(terminalOnly);
    expect(textOf(terminalOnly, 'thinking')).toBe('think');
    expect(finishOf(terminalOnly)?.stopReason).toBe('tool_use');
  });

  it('turns keepalive into ping, skips unparsable data lines and errors on EOF without a terminal event', async () => {
    const events = await decodeEvents([
      ...payloadEvents([created, { type: 'keepalive' }]),
      { data: '{not json' },
      ...payloadEvents([
        { type: 'response.output_item.added', output_index: 0, item: { id: 'msg_1', type: 'message', content: [] } },
        { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'partial' },
      ]),
    ]);
    expectIrInvariants(events);
    expect(events.map((event) => event.type)).toEqual(['start', 'ping', 'block_start', 'block_delta', 'error']);
    const error = errorOf(events);
    if (error?.type !== 'error') throw new Error('expected an error');
    expect(error.error.kind).toBe('api_error');
    expect(error.error.message).toBe('upstream stream ended before completion');
  });

  it('maps a flat error event and a response.failed without a prior error event', async () => {
    const flat = await decodeEvents(payloadEvents([created, { type: 'error', code: 'rate_limit_exceeded', message: 'Slow down', param: null }]));
    const flatError = errorOf(flat);
    expect(flatError?.type === 'error' && [flatError.error.kind, flatError.error.status]).toEqual(['rate_limit', 429]);

    const failed = await decodeEvents(
      payloadEvents([created, { type: 'response.failed', response: { id: 'resp_1', status: 'failed', error: { code: 'server_error', message: 'boom' } } }]),
    );
    const failedError = errorOf(failed);
    expect(failedError?.type === 'error' && [failedError.error.kind, failedError.error.status, failedError.error.message]).toEqual([
      'api_error',
      500,
      'openai: boom',
    ]);
  });

  it('unwraps a relay envelope found in encrypted_content (state minted by another upstream)', async () => {
    const events = await decodeEvents(
      payloadEvents([
        created,
        { type: 'response.output_item.added', output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } },
        { type: 'response.output_item.done', output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [], encrypted_content: 'prx1:ant:SIG' } },
        completed(),
      ]),
    );
    expect(events).toContainEqual({ type: 'block_delta', index: 0, delta: { type: 'signature', signature: { origin: 'anthropic', value: 'SIG' } } });
  });
});

describe('decodeResponsesStream: event shapes', () => {
  const msg = { item_id: 'msg_1', output_index: 0, content_index: 0 };
  const messageAdded = { type: 'response.output_item.added', output_index: 0, item: { id: 'msg_1', type: 'message', role: 'assistant', content: [] } };

  it('accepts unknown fields on events, items, parts and the response', async () => {
    const events = await decodeEvents(
      payloadEvents([
        { ...created, response: { ...created.response, tools: [], reasoning: { effort: null } } },
        { ...messageAdded, item: { ...messageAdded.item, status: 'in_progress', annotations: [] } },
        { type: 'response.content_part.added', ...msg, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } },
        { type: 'response.output_text.delta', ...msg, delta: 'Hi', logprobs: [], obfuscation: 'abc' },
        completed([], { input_tokens: 3, output_tokens: 1, input_tokens_details: { cached_tokens: 0, audio: 1 }, extra: {} }, 'completed', { tools: [{ type: 'function' }] }),
      ]),
    );
    expectIrInvariants(events);
    expect(textOf(events, 'text')).toBe('Hi');
    expect(finishOf(events)).toMatchObject({ stopReason: 'end_turn', usage: { inputTokens: 3, outputTokens: 1 } });
  });

  it.each<[string, Record<string, unknown>]>([
    ['a delta that is a number', { type: 'response.output_text.delta', ...msg, delta: 5 }],
    ['an output_index that is a string', { type: 'response.output_text.delta', ...msg, output_index: '0', delta: 'x' }],
    ['a content_index that is a boolean', { type: 'response.output_text.delta', ...msg, content_index: true, delta: 'x' }],
    ['an event without type', { ...msg, delta: 'x' }],
    ['an item_id that is a number', { type: 'response.output_text.delta', ...msg, item_id: 1, delta: 'x' }],
    ['a part with a numeric text', { type: 'response.content_part.done', ...msg, part: { type: 'output_text', text: 1 } }],
    ['an item without type', { type: 'response.output_item.done', output_index: 0, item: { id: 'msg_1', content: [{ type: 'output_text', text: 'x' }] } }],
    ['an item whose content is not an array', { type: 'response.output_item.done', output_index: 0, item: { type: 'message', content: { text: 'x' } } }],
    ['a code that is an object', { type: 'error', code: {}, message: 'boom' }],
  ])('skips %s, as it skips unparsable lines', async (_what, payload) => {
    const events = await decodeEvents(payloadEvents([created, messageAdded, payload, completed()]));
    expectIrInvariants(events);
    expect(events.map((event) => event.type)).toEqual(['start', 'finish']);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a usage count that is a string', completed([], { input_tokens: '3' })],
    ['an output that is not an array', completed({} as unknown[])],
    ['incomplete_details.reason that is a number', completed([], null, 'incomplete', { incomplete_details: { reason: 1 } })],
    ['an error whose message is a number', completed([], null, 'completed', { error: { message: 1 } })],
  ])('skips a terminal event with %s, so the stream ends truncated', async (_what, payload) => {
    const events = await decodeEvents(payloadEvents([created, payload]));
    expect(events.map((event) => event.type)).toEqual(['start', 'error']);
    expect(errorOf(events)).toMatchObject({ error: { kind: 'api_error', message: 'upstream stream ended before completion' } });
  });

  it('reads an error event whose code is a number', async () => {
    const events = await decodeEvents(payloadEvents([created, { type: 'error', code: 429, message: 'Slow down', param: null }]));
    expect(errorOf(events)).toMatchObject({ error: { code: '429', message: 'openai: Slow down' } });
  });
});
