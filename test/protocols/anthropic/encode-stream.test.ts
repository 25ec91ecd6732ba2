import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import type { IrRequest } from '../../../src/ir/request';
import type { IrStreamEvent } from '../../../src/ir/stream-event';
import { encodeAnthropicStream } from '../../../src/protocols/anthropic/encode-stream';
import { encodeSse } from '../../../src/streams/sse-encode';
import type { SseEvent } from '../../../src/streams/sse-event';
import { clientContext, collect, sseData, streamOf, transform } from './helpers';

const usage = (input: number, output: number, extra: Partial<{ cacheReadTokens: number; cacheWriteTokens: number; reasoningTokens: number }> = {}) => ({
  inputTokens: input,
  outputTokens: output,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  ...extra,
});

const encode = (events: IrStreamEvent[], request: Partial<IrRequest> = {}): Promise<SseEvent[]> =>
  transform(events, encodeAnthropicStream(clientContext(request)));

/** Every event is named after its payload type (the SDK drops unnamed events). */
const expectNamed = (events: SseEvent[]) => {
  for (const event of events) expect(event.event).toBe((JSON.parse(event.data) as { type: string }).type);
};

/** The official SDK's accumulator, reading the encoded bytes over a fake fetch. */
const finalMessage = async (events: SseEvent[]) => {
  const bytes = await collect(streamOf(events).pipeThrough(encodeSse()));
  const client = new Anthropic({
    apiKey: 'test',
    maxRetries: 0,
    fetch: async () => new Response(streamOf(bytes), { headers: { 'content-type': 'text/event-stream' } }),
  });
  return client.messages.stream({ model: 'claude-public', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
};

describe('encodeAnthropicStream', () => {
  it('E4: a tool call first, name+args bundled, usage only at the end', async () => {
    const events = await encode(
      [
        { type: 'start', id: 'c1', model: 'g' },
        { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'call_x', name: 'ls' } },
        { type: 'block_delta', index: 0, delta: { type: 'arguments', json: '{}' } },
        { type: 'block_stop', index: 0 },
        { type: 'finish', stopReason: 'tool_use', usage: usage(58, 12) },
      ],
      { model: 'g' },
    );
    expectNamed(events);
    expect(sseData(events)).toEqual([
      {
        type: 'message_start',
        message: {
          id: 'msg_c1',
          type: 'message',
          role: 'assistant',
          model: 'g',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
        },
      },
      { type: 'ping' },
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'call_x', name: 'ls', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { input_tokens: 58, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 12 },
      },
      { type: 'message_stop' },
    ]);
  });

  it('E5: thinking with a foreign signature, parallel tool calls, STOP ⇒ tool_use', async () => {
    const events = await encode([
      { type: 'start', id: 'r9', model: 'g3', usage: { inputTokens: 30 } },
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'block_delta', index: 0, delta: { type: 'thinking', text: 'Need both.' } },
      { type: 'block_delta', index: 0, delta: { type: 'signature', signature: { origin: 'gemini', value: 'U0lH', placement: 'fc' } } },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'call_r9_0', name: 'get_weather' } },
      { type: 'block_delta', index: 1, delta: { type: 'arguments', json: '{"city":"Paris"}' } },
      { type: 'block_stop', index: 1 },
      { type: 'block_start', index: 2, block: { type: 'tool_call', id: 'call_r9_1', name: 'get_weather' } },
      { type: 'block_delta', index: 2, delta: { type: 'arguments', json: '{"city":"Rome"}' } },
      { type: 'block_stop', index: 2 },
      { type: 'finish', stopReason: 'end_turn', usage: usage(30, 56, { reasoningTokens: 40 }) },
    ]);
    const data = sseData(events);
    expect(data[0]).toMatchObject({ type: 'message_start', message: { id: 'msg_r9', model: 'claude-public', usage: { input_tokens: 30, output_tokens: 0 } } });
    expect(data.slice(2, 7)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Need both.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'prx1:gem:fc:U0lH' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_r9_0', name: 'get_weather', input: {} } },
    ]);
    expect(data.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 56, output_tokens_details: { thinking_tokens: 40 } },
    });
    const message = await finalMessage(events);
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Need both.', signature: 'prx1:gem:fc:U0lH' },
      { type: 'tool_use', id: 'call_r9_0', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_r9_1', name: 'get_weather', input: { city: 'Rome' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 30, output_tokens: 56 });
  });

  it('opens text lazily: no empty text block, indices stay dense, cache usage split out', async () => {
    const events = await encode([
      { type: 'start', id: 'msg_up', model: 'x' },
      { type: 'usage', usage: { inputTokens: 100, cacheReadTokens: 60, cacheWriteTokens: 10 } },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'block_delta', index: 0, delta: { type: 'text', text: '' } },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'block_delta', index: 1, delta: { type: 'text', text: 'Hel' } },
      { type: 'ping' },
      { type: 'block_delta', index: 1, delta: { type: 'text', text: 'lo' } },
      { type: 'block_stop', index: 1 },
      { type: 'block_start', index: 2, block: { type: 'tool_call', id: 'toolu_1', name: 'noargs' } },
      { type: 'block_stop', index: 2 },
      { type: 'finish', stopReason: 'tool_use', usage: usage(100, 7, { cacheReadTokens: 60, cacheWriteTokens: 10 }) },
    ]);
    expectNamed(events);
    const data = sseData(events);
    expect(data[0]).toMatchObject({
      message: { id: 'msg_up', usage: { input_tokens: 30, cache_read_input_tokens: 60, cache_creation_input_tokens: 10, output_tokens: 0 } },
    });
    expect(data.slice(1)).toEqual([
      { type: 'ping' },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
      { type: 'ping' },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'noargs', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{}' } },
      { type: 'content_block_stop', index: 1 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { input_tokens: 30, cache_creation_input_tokens: 10, cache_read_input_tokens: 60, output_tokens: 7 },
      },
      { type: 'message_stop' },
    ]);
    const message = await finalMessage(events);
    expect(message.content).toEqual([
      { type: 'text', text: 'Hello' },
      { type: 'tool_use', id: 'toolu_1', name: 'noargs', input: {} },
    ]);
  });

  it('gives an unsigned thinking block "prx1:none", keeps redacted thinking, and withholds text for display "omitted"', async () => {
    const thinking: IrStreamEvent[] = [
      { type: 'start', id: 'i', model: 'x' },
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'block_delta', index: 0, delta: { type: 'thinking', text: 'secret' } },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'redacted_thinking', data: 'EmwK' } },
      { type: 'block_stop', index: 1 },
      { type: 'finish', stopReason: 'stop_sequence', stopSequence: 'END', usage: usage(1, 1) },
    ];
    const shown = sseData(await encode(thinking));
    expect(shown.slice(2, 8)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'secret' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'prx1:none' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'redacted_thinking', data: 'EmwK' } },
      { type: 'content_block_stop', index: 1 },
    ]);
    expect(shown.at(-2)).toMatchObject({ delta: { stop_reason: 'stop_sequence', stop_sequence: 'END' } });
    const hidden = sseData(await encode(thinking, { reasoning: { enabled: true, visible: false } }));
    expect(hidden.some((payload) => JSON.stringify(payload).includes('secret'))).toBe(false);
    expect(hidden).toContainEqual({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'prx1:none' } });
  });

  it('maps IR stop reasons to Anthropic ones', async () => {
    const reasonOf = async (stopReason: Extract<IrStreamEvent, { type: 'finish' }>['stopReason']) => {
      const data = sseData(await encode([{ type: 'start', id: 'i', model: 'x' }, { type: 'finish', stopReason, usage: usage(1, 1) }]));
      return (data.at(-2) as { delta: { stop_reason: string } }).delta.stop_reason;
    };
    expect(await reasonOf('content_filter')).toBe('refusal');
    expect(await reasonOf('context_window')).toBe('model_context_window_exceeded');
    expect(await reasonOf('max_tokens')).toBe('max_tokens');
    expect(await reasonOf('pause_turn')).toBe('pause_turn');
  });

  it('sends `event: error` mid-stream and nothing after it', async () => {
    const events = await encode([
      { type: 'start', id: 'i', model: 'x' },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'block_delta', index: 0, delta: { type: 'text', text: 'partial' } },
      { type: 'error', error: new RelayError('api_error', 502, 'upstream stream ended before completion') },
      { type: 'block_stop', index: 0 },
      { type: 'finish', stopReason: 'end_turn', usage: usage(1, 1) },
    ]);
    expectNamed(events);
    expect(sseData(events).map((payload) => (payload as { type: string }).type)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'error',
    ]);
    expect(sseData(events).at(-1)).toEqual({ type: 'error', error: { type: 'api_error', message: 'upstream stream ended before completion' } });
    await expect(finalMessage(events)).rejects.toThrow(/upstream stream ended before completion/);
  });

  it('sends only the error when nothing was streamed yet, and an error when the IR stream just stops', async () => {
    const early = await encode([
      { type: 'start', id: 'i', model: 'x' },
      { type: 'error', error: new RelayError('overloaded', 503, 'anthropic: Overloaded') },
    ]);
    expect(sseData(early)).toEqual([{ type: 'error', error: { type: 'overloaded_error', message: 'anthropic: Overloaded' } }]);
    const cut = await encode([{ type: 'start', id: 'i', model: 'x' }, { type: 'ping' }]);
    expect(sseData(cut).at(-1)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
  });
});
