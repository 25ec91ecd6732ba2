import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import type { IrStreamEvent } from '../../../src/ir/stream-event';
import type { IrUsage } from '../../../src/ir/usage';
import { formatSseEvent } from '../../../src/streams/sse-encode';
import type { SseEvent } from '../../../src/streams/sse-event';
import toolStep from '../../fixtures/openai-chat/issue-15789-step-1.chunks.txt?raw';
import { clientContext, decodeEvents, encodeEvents, recordedEvents } from './helpers';

const usage = (overrides: Partial<IrUsage> = {}): IrUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  ...overrides,
});

/** E3's IR: what the Anthropic decoder yields for the canonical text-then-tool stream. */
const e3Events: IrStreamEvent[] = [
  { type: 'start', id: 'msg_1', model: 'm1', usage: { inputTokens: 25, cacheReadTokens: 5 } },
  { type: 'block_start', index: 0, block: { type: 'text' } },
  { type: 'block_delta', index: 0, delta: { type: 'text', text: 'Checking.' } },
  { type: 'block_stop', index: 0 },
  { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'toolu_1', name: 'get_weather' } },
  { type: 'block_delta', index: 1, delta: { type: 'arguments', json: '{"city":' } },
  { type: 'block_delta', index: 1, delta: { type: 'arguments', json: '"Paris"}' } },
  { type: 'block_stop', index: 1 },
  { type: 'finish', stopReason: 'tool_use', stopSequence: null, usage: usage({ inputTokens: 25, outputTokens: 12, cacheReadTokens: 5 }) },
];

/** E5's IR: what the Gemini decoder yields (thought, parallel calls with minted ids). */
const e5Events: IrStreamEvent[] = [
  { type: 'start', id: 'r9', model: 'g3', usage: { inputTokens: 30 } },
  { type: 'block_start', index: 0, block: { type: 'thinking' } },
  { type: 'block_delta', index: 0, delta: { type: 'thinking', text: 'Need both.' } },
  { type: 'block_delta', index: 0, delta: { type: 'signature', signature: { origin: 'gemini', placement: 'fc', value: 'U0lH' } } },
  { type: 'block_stop', index: 0 },
  { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'call_r9_0', name: 'get_weather' } },
  { type: 'block_delta', index: 1, delta: { type: 'arguments', json: '{"city":"Paris"}' } },
  { type: 'block_stop', index: 1 },
  { type: 'block_start', index: 2, block: { type: 'tool_call', id: 'call_r9_1', name: 'get_weather' } },
  { type: 'block_delta', index: 2, delta: { type: 'arguments', json: '{"city":"Rome"}' } },
  { type: 'block_stop', index: 2 },
  { type: 'finish', stopReason: 'tool_use', stopSequence: null, usage: usage({ inputTokens: 30, outputTokens: 56, reasoningTokens: 40 }) },
];

const E3_EXPECTED = [
  '{"id":"chatcmpl-msg_1","object":"chat.completion.chunk","created":1700000000,"model":"m1","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}',
  '{"id":"chatcmpl-msg_1","object":"chat.completion.chunk","created":1700000000,"model":"m1","choices":[{"index":0,"delta":{"content":"Checking."},"logprobs":null,"finish_reason":null}]}',
  '{"id":"chatcmpl-msg_1","object":"chat.completion.chunk","created":1700000000,"model":"m1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}]}',
  '{"id":"chatcmpl-msg_1","object":"chat.completion.chunk","created":1700000000,"model":"m1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\":"}}]},"logprobs":null,"finish_reason":null}]}',
  '{"id":"chatcmpl-msg_1","object":"chat.completion.chunk","created":1700000000,"model":"m1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\"Paris\\"}"}}]},"logprobs":null,"finish_reason":null}]}',
  '{"id":"chatcmpl-msg_1","object":"chat.completion.chunk","created":1700000000,"model":"m1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}',
  '{"id":"chatcmpl-msg_1","object":"chat.completion.chunk","created":1700000000,"model":"m1","choices":[],"usage":{"prompt_tokens":25,"completion_tokens":12,"total_tokens":37,"prompt_tokens_details":{"cached_tokens":5,"cache_write_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}',
  '[DONE]',
];

const E5_EXPECTED = [
  '{"id":"chatcmpl-r9","object":"chat.completion.chunk","created":1700000000,"model":"g3","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}',
  '{"id":"chatcmpl-r9","object":"chat.completion.chunk","created":1700000000,"model":"g3","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_r9_0","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},"logprobs":null,"finish_reason":null}]}',
  '{"id":"chatcmpl-r9","object":"chat.completion.chunk","created":1700000000,"model":"g3","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_r9_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Rome\\"}"}}]},"logprobs":null,"finish_reason":null}]}',
  '{"id":"chatcmpl-r9","object":"chat.completion.chunk","created":1700000000,"model":"g3","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}',
  '[DONE]',
];

const payloads = (events: SseEvent[]) => events.map((event) => event.data);
const parsed = (events: SseEvent[]) => events.filter((event) => event.data !== '[DONE]').map((event) => JSON.parse(event.data) as Record<string, unknown>);

/** Runs the official SDK's stream accumulator over the encoded bytes. */
const sdkFinal = async (events: SseEvent[]) => {
  const body = events.map(formatSseEvent).join('');
  const client = new OpenAI({
    apiKey: 'sk-test',
    baseURL: 'http://relay.test/v1',
    maxRetries: 0,
    fetch: async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
  });
  return client.chat.completions.stream({ model: 'm1', messages: [{ role: 'user', content: 'hi' }] }).finalChatCompletion();
};

describe('encodeOpenAIChatStream', () => {
  it('E3: text then a tool call, with the usage chunk the client asked for', async () => {
    const out = await encodeEvents(e3Events, clientContext({ model: 'm1', streamUsage: true }));
    expect(payloads(out)).toEqual(E3_EXPECTED);
    expect(out.every((event) => event.event === undefined)).toBe(true);
  });

  it('E3 without include_usage: no usage chunk', async () => {
    const out = await encodeEvents(e3Events, clientContext({ model: 'm1' }));
    expect(payloads(out)).toEqual([...E3_EXPECTED.slice(0, 6), '[DONE]']);
  });

  it('E5 with reasoning hidden: parallel calls get k = 0, 1 and the signature is not sent', async () => {
    const out = await encodeEvents(e5Events, clientContext({ model: 'g3', reasoning: { enabled: true, visible: false } }));
    expect(payloads(out)).toEqual(E5_EXPECTED);
  });

  it('E5 by default: thinking rides in reasoning_content; usage counts reasoning in completion_tokens', async () => {
    const out = await encodeEvents(e5Events, clientContext({ model: 'g3', streamUsage: true }));
    const chunks = parsed(out);
    expect(chunks[1]).toMatchObject({ choices: [{ index: 0, delta: { reasoning_content: 'Need both.' } }] });
    expect(chunks[chunks.length - 1]).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 30, completion_tokens: 56, total_tokens: 86, completion_tokens_details: { reasoning_tokens: 40 } },
    });
    expect(JSON.stringify(chunks)).not.toContain('U0lH');
  });

  it('keeps k dense over tools when text sits between them, and sends "{}" for a call with no arguments', async () => {
    const out = await encodeEvents(
      [
        { type: 'start', id: 'x', model: 'u' },
        { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'call_1', name: 'now' } },
        { type: 'block_stop', index: 0 },
        { type: 'block_start', index: 1, block: { type: 'text' } },
        { type: 'block_delta', index: 1, delta: { type: 'text', text: 'and' } },
        { type: 'block_stop', index: 1 },
        { type: 'block_start', index: 2, block: { type: 'tool_call', id: 'call_2', name: 'ls' } },
        { type: 'block_delta', index: 2, delta: { type: 'arguments', json: '' } },
        { type: 'block_stop', index: 2 },
        { type: 'finish', stopReason: 'end_turn', usage: usage() },
      ],
      clientContext(),
    );
    const deltas = parsed(out).map((chunk) => (chunk.choices as Array<{ delta: unknown; finish_reason: unknown }>)[0]);
    expect(deltas).toEqual([
      { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null },
      { index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'now', arguments: '{}' } }] }, logprobs: null, finish_reason: null },
      { index: 0, delta: { content: 'and' }, logprobs: null, finish_reason: null },
      { index: 0, delta: { tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'ls', arguments: '{}' } }] }, logprobs: null, finish_reason: null },
      // A tool call was emitted, so the tool reason wins over the upstream's end_turn.
      { index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' },
    ]);
    expect(out[out.length - 1]?.data).toBe('[DONE]');
  });

  it('ends with an error chunk and no [DONE] when the upstream fails mid-stream', async () => {
    const out = await encodeEvents(
      [
        { type: 'start', id: 'x', model: 'u' },
        { type: 'block_start', index: 0, block: { type: 'text' } },
        { type: 'block_delta', index: 0, delta: { type: 'text', text: 'Hel' } },
        { type: 'error', error: new RelayError('api_error', 502, 'upstream stream ended before completion') },
      ],
      clientContext(),
    );
    expect(payloads(out).slice(2)).toEqual([
      '{"error":{"message":"upstream stream ended before completion","type":"server_error","param":null,"code":null}}',
    ]);
  });

  it('maps max_tokens and content_filter stop reasons; drops ping, usage and signature events', async () => {
    const out = await encodeEvents(
      [
        { type: 'start', id: 'x', model: 'u' },
        { type: 'ping' },
        { type: 'usage', usage: { inputTokens: 3 } },
        { type: 'block_start', index: 0, block: { type: 'text' } },
        { type: 'block_delta', index: 0, delta: { type: 'text', text: '' } },
        { type: 'block_stop', index: 0 },
        { type: 'finish', stopReason: 'max_tokens', usage: usage() },
      ],
      clientContext(),
    );
    expect(payloads(out)).toHaveLength(3);
    expect(parsed(out)[1]).toMatchObject({ choices: [{ delta: {}, finish_reason: 'length' }] });
  });
});

describe('encodeOpenAIChatStream through the official openai-node accumulator', () => {
  it('assembles E3 into a chat.completion with the tool call', async () => {
    const completion = await sdkFinal(await encodeEvents(e3Events, clientContext({ model: 'm1', streamUsage: true })));
    expect(completion.id).toBe('chatcmpl-msg_1');
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBe('Checking.');
    expect(choice?.message.tool_calls).toEqual([
      { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    expect(completion.usage?.total_tokens).toBe(37);
  });

  it('assembles E5 parallel calls', async () => {
    const completion = await sdkFinal(await encodeEvents(e5Events, clientContext({ model: 'g3' })));
    const calls = completion.choices[0]?.message.tool_calls ?? [];
    expect(calls.map((call) => (call.type === 'function' ? [call.id, call.function.arguments] : []))).toEqual([
      ['call_r9_0', '{"city":"Paris"}'],
      ['call_r9_1', '{"city":"Rome"}'],
    ]);
  });

  it('assembles thinking (reasoning_content) and text without complaint', async () => {
    const completion = await sdkFinal(
      await encodeEvents(
        [
          { type: 'start', id: 'x', model: 'u' },
          { type: 'block_start', index: 0, block: { type: 'thinking' } },
          { type: 'block_delta', index: 0, delta: { type: 'thinking', text: 'hmm' } },
          { type: 'block_stop', index: 0 },
          { type: 'block_start', index: 1, block: { type: 'text' } },
          { type: 'block_delta', index: 1, delta: { type: 'text', text: 'Hi ' } },
          { type: 'block_delta', index: 1, delta: { type: 'text', text: 'there' } },
          { type: 'block_stop', index: 1 },
          { type: 'finish', stopReason: 'end_turn', usage: usage() },
        ],
        clientContext(),
      ),
    );
    expect(completion.choices[0]?.message.content).toBe('Hi there');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
  });

  it('a recorded OpenAI stream decoded and re-encoded reads the same in the SDK', async () => {
    const completion = await sdkFinal(await encodeEvents(await decodeEvents(recordedEvents(toolStep)), clientContext({ streamUsage: true })));
    expect(completion.id).toBe('chatcmpl-E6yvi7cuDcHZEHTMxcLDyf3CMKIO2');
    expect(completion.choices[0]?.message).toMatchObject({
      content: 'PRE_TOOL',
      tool_calls: [{ id: 'call_NZa7xqfefoaMI2YYHowVXVlU', type: 'function', function: { name: 'weather', arguments: '{}' } }],
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 58, completion_tokens: 12, total_tokens: 70 });
  });

  it('surfaces a mid-stream error as an APIError', async () => {
    const events = await encodeEvents(
      [
        { type: 'start', id: 'x', model: 'u' },
        { type: 'error', error: new RelayError('overloaded', 529, 'anthropic: Overloaded') },
      ],
      clientContext(),
    );
    await expect(sdkFinal(events)).rejects.toBeInstanceOf(OpenAI.APIError);
  });
});
