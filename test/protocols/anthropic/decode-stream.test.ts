/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import type { IrStreamEvent } from '../../../src/ir/stream-event';
import { anthropicCodec } from '../../../src/protocols/anthropic';
import { decodeAnthropicStream } from '../../../src/protocols/anthropic/decode-stream';
import { decodeSse } from '../../../src/streams/sse-decode';
import type { SseEvent } from '../../../src/streams/sse-event';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../../fakes/anthropic-upstream';
import type { AnthropicReply } from '../../fakes/anthropic-upstream';
import { checkIrInvariants, collect, transform } from './helpers';

const fixtures = import.meta.glob<string>('../../fixtures/anthropic/*.chunks.txt', { query: '?raw', import: 'default', eager: true });
const fixture = (name: string): string => {
  const text = fixtures[`../../fixtures/anthropic/${name}.chunks.txt`];
  if (text === undefined) throw new Error(`missing fixture ${name}`);
  return text;
};

/** Upstream bytes from the fake (real framing) → SSE decoder → the codec's stream decoder. */
const replay = async (reply: AnthropicReply): Promise<IrStreamEvent[]> => {
  const upstream = createAnthropicUpstream({ replies: [reply] });
  const response = await upstream(
    new Request('https://api.anthropic.test/v1/messages', {
      method: 'POST',
      headers: { ...anthropicCodec.authHeaders(FAKE_ANTHROPIC_KEY), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    }),
  );
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  if (response.body === null) throw new Error('no body');
  return collect(response.body.pipeThrough(decodeSse()).pipeThrough(decodeAnthropicStream()));
};

const text = (events: IrStreamEvent[], kind: 'text' | 'thinking'): string =>
  events.map((event) => (event.type === 'block_delta' && event.delta.type === kind ? event.delta.text : '')).join('');

const finishOf = (events: IrStreamEvent[]) => {
  const last = events.at(-1);
  if (last?.type !== 'finish') throw new Error(`stream did not finish: ${JSON.stringify(last)}`);
  return last;
};

const decode = (payloads: Array<Record<string, unknown>>): Promise<IrStreamEvent[]> =>
  transform(
    payloads.map((payload): SseEvent => ({ event: String(payload.type), data: JSON.stringify(payload) })),
    decodeAnthropicStream(),
  );

const messageStart = { type: 'message_start', message: { id: 'msg_1', model: 'm', usage: { input_tokens: 3, output_tokens: 1 } } };

describe('decodeAnthropicStream — every recorded fixture', () => {
  it.each(Object.keys(fixtures))('replays %s into a valid IR stream', async (path) => {
    const events = await replay({ kind: 'recorded', chunks: fixtures[path] ?? '' });
    checkIrInvariants(events);
    expect(events[0]?.type).toBe('start');
    finishOf(events);
  });

  it('plain text with pings', async () => {
    const events = await replay({ kind: 'recorded', chunks: fixture('anthropic-text') });
    expect(events[0]).toEqual({
      type: 'start',
      id: 'msg_01QC4g3HwBThD4BaNtBckFDJ',
      model: 'claude-sonnet-4-5-20250929',
      usage: { inputTokens: 12, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 1 },
    });
    expect(events.filter((event) => event.type === 'ping')).toHaveLength(1);
    expect(text(events, 'text')).toBe("Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?");
    expect(finishOf(events)).toEqual({
      type: 'finish',
      stopReason: 'end_turn',
      stopSequence: null,
      usage: { inputTokens: 12, outputTokens: 30, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    });
  });

  it('a no-argument tool call after text', async () => {
    const events = await replay({ kind: 'recorded', chunks: fixture('anthropic-tool-no-args') });
    expect(events.filter((event) => event.type === 'block_start')).toEqual([
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList' } },
    ]);
    expect(events.some((event) => event.type === 'block_delta' && event.delta.type === 'arguments')).toBe(false);
    expect(finishOf(events)).toMatchObject({ stopReason: 'tool_use', usage: { inputTokens: 565, outputTokens: 48 } });
  });

  it('tool arguments split across input_json_deltas', async () => {
    const events = await replay({ kind: 'recorded', chunks: fixture('issue-10781.1') });
    const args = events.map((event) => (event.type === 'block_delta' && event.delta.type === 'arguments' ? event.delta.json : '')).join('');
    expect(JSON.parse(args)).toEqual({ city: 'San Francisco' });
    expect(text(events, 'text')).toBe('Let me check.');
    expect(finishOf(events).stopReason).toBe('tool_use');
  });

  it('thinking with its signature, then text; thinking tokens in usage', async () => {
    const events = await replay({ kind: 'recorded', chunks: fixture('anthropic-claude-sonnet-5-reasoning-summarized') });
    expect(text(events, 'thinking')).toContain('Euclidean algorithm');
    const signature = events.find((event) => event.type === 'block_delta' && event.delta.type === 'signature');
    expect(signature).toMatchObject({ index: 0, delta: { type: 'signature', signature: { origin: 'anthropic' } } });
    expect(signature?.type === 'block_delta' && signature.delta.type === 'signature' && signature.delta.signature.value.startsWith('EsECCokB')).toBe(true);
    expect(text(events, 'text')).toContain('gcd(1071, 462');
    expect(finishOf(events).usage).toEqual({ inputTokens: 47, outputTokens: 373, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 62 });
  });

  it('input_tokens in message_delta wins over message_start', async () => {
    const events = await replay({ kind: 'recorded', chunks: fixture('anthropic-message-delta-input-tokens') });
    expect(events[0]).toMatchObject({ type: 'start', usage: { inputTokens: 43 } });
    expect(finishOf(events).usage).toEqual({ inputTokens: 61, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(text(events, 'text')).toBe('pong');
  });

  it('a refusal with zero blocks', async () => {
    const events = await replay({ kind: 'recorded', chunks: fixture('anthropic-refusal') });
    expect(events.map((event) => event.type)).toEqual(['start', 'ping', 'finish']);
    expect(finishOf(events)).toMatchObject({ stopReason: 'content_filter', usage: { inputTokens: 18, outputTokens: 5 } });
  });
});

describe('decodeAnthropicStream — state machine', () => {
  it('skips server-tool blocks and keeps IR indices dense', async () => {
    const events = await decode([
      messageStart,
      { type: 'content_block_start', index: 0, content_block: { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"q":1}' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] } },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'redacted_thinking', data: 'EmwK' } },
      { type: 'content_block_stop', index: 2 },
      { type: 'content_block_start', index: 3, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 3, delta: { type: 'text_delta', text: 'Found.' } },
      { type: 'content_block_delta', index: 3, delta: { type: 'citations_delta', citation: { type: 'char_location' } } },
      { type: 'content_block_stop', index: 3 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } },
      { type: 'message_stop' },
    ]);
    checkIrInvariants(events);
    expect(events.slice(1, -1)).toEqual([
      { type: 'block_start', index: 0, block: { type: 'redacted_thinking', data: 'EmwK' } },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'block_delta', index: 1, delta: { type: 'text', text: 'Found.' } },
      { type: 'block_stop', index: 1 },
    ]);
  });

  it('uses tool input from the start event when no delta follows (compatible servers)', async () => {
    const events = await decode([
      messageStart,
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 4, cache_read_input_tokens: 10 } },
      { type: 'message_stop' },
    ]);
    expect(events[2]).toEqual({ type: 'block_delta', index: 0, delta: { type: 'arguments', json: '{"a":1}' } });
    expect(finishOf(events).usage).toEqual({ inputTokens: 13, outputTokens: 4, cacheReadTokens: 10, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it('tolerates a repeated message_start before any block, fails after one', async () => {
    const early = await decode([messageStart, messageStart, { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 1 } }, { type: 'message_stop' }]);
    expect(early.map((event) => event.type)).toEqual(['start', 'finish']);
    const late = await decode([
      messageStart,
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'a' } },
      messageStart,
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'b' } },
    ]);
    expect(late.at(-1)).toMatchObject({ type: 'error', error: { kind: 'api_error', message: 'anthropic: stream restarted (second message_start)' } });
    expect(late.filter((event) => event.type === 'error')).toHaveLength(1);
  });

  it('turns an in-stream error event into an IR error (overloaded)', async () => {
    const events = await decode([messageStart, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]);
    const last = events.at(-1);
    expect(last?.type).toBe('error');
    if (last?.type !== 'error') return;
    expect([last.error.kind, last.error.status, last.error.message, last.error.upstreamStatus]).toEqual(['overloaded', 503, 'anthropic: Overloaded', 529]);
  });

  it('reports EOF without message_stop, malformed JSON and events before message_start', async () => {
    const truncated = await replay({
      kind: 'sse',
      events: [messageStart, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'a' } }],
    });
    expect(truncated.at(-1)).toMatchObject({ type: 'error', error: { kind: 'api_error', message: 'upstream stream ended before completion' } });
    const afterDelta = await decode([messageStart, { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 1 } }]);
    expect(afterDelta.at(-1)?.type).toBe('error');
    const malformed = await replay({ kind: 'raw', text: `event: message_start\ndata: ${JSON.stringify(messageStart)}\n\nevent: ping\ndata: {oops\n\n` });
    expect(malformed.at(-1)).toMatchObject({ type: 'error', error: { message: 'anthropic: malformed stream event' } });
    expect(malformed.filter((event) => event.type === 'error')).toHaveLength(1);
    const early = await decode([{ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }]);
    expect(early).toEqual([expect.objectContaining({ type: 'error' })]);
  });

  it('maps stop_sequence with the matched string', async () => {
    const events = await decode([messageStart, { type: 'message_delta', delta: { stop_reason: 'stop_sequence', stop_sequence: 'END' }, usage: { output_tokens: 2 } }, { type: 'message_stop' }]);
    expect(finishOf(events)).toMatchObject({ stopReason: 'stop_sequence', stopSequence: 'END' });
  });
});

describe('decodeAnthropicStream — event shapes', () => {
  const textStart = { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } };

  it('accepts unknown fields on every event it reads', async () => {
    const events = await decode([
      { ...messageStart, message: { ...messageStart.message, role: 'assistant', content: [], usage: { input_tokens: 3, service_tier: 'standard', cache_creation: { ephemeral_5m_input_tokens: 0 } } } },
      { ...textStart, content_block: { type: 'text', text: 'a', citations: null }, extra: [1] },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'b', logprobs: {} }, sequence: 1 },
      { type: 'content_block_stop', index: 0, extra: 'x' },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_details: { type: 'x' } }, usage: { output_tokens: 2, server_tool_use: { web_search_requests: 0 } }, context_management: null },
      { type: 'message_stop', extra: true },
    ]);
    checkIrInvariants(events);
    expect(text(events, 'text')).toBe('ab');
    expect(finishOf(events)).toMatchObject({ stopReason: 'end_turn', usage: { inputTokens: 3, outputTokens: 2 } });
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['message_start', 'a message without id', { type: 'message_start', message: { model: 'm' } }],
    ['message_start', 'a usage count that is a string', { type: 'message_start', message: { id: 'msg_1', usage: { input_tokens: '3' } } }],
    ['content_block_start', 'a negative index', { ...textStart, index: -1 }],
    ['content_block_start', 'a fractional index', { ...textStart, index: 0.5 }],
    ['content_block_start', 'a block without type', { ...textStart, content_block: { text: '' } }],
    ['content_block_start', 'a tool name that is not a string', { ...textStart, content_block: { type: 'tool_use', id: 't', name: 1 } }],
    ['content_block_delta', 'a delta text that is a number', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 5 } }],
    ['content_block_delta', 'partial_json that is an object', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: {} } }],
    ['content_block_delta', 'a missing delta', { type: 'content_block_delta', index: 0 }],
    ['content_block_stop', 'an index that is a string', { type: 'content_block_stop', index: '0' }],
    ['message_delta', 'a stop_reason that is a number', { type: 'message_delta', delta: { stop_reason: 1 } }],
    ['message_delta', 'thinking_tokens that is a string', { type: 'message_delta', usage: { output_tokens_details: { thinking_tokens: '2' } } }],
  ])('a %s with %s is malformed', async (type, _what, payload) => {
    const events = await decode([messageStart, textStart, payload]);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { kind: 'api_error', message: `anthropic: malformed ${type}` } });
    expect(events.filter((event) => event.type === 'error')).toHaveLength(1);
  });

  it('a data line without `type` is read by its event name, and then lacks the type it must repeat', async () => {
    const events = await transform(
      [
        { event: 'message_start', data: JSON.stringify(messageStart) },
        { event: 'content_block_start', data: JSON.stringify(textStart) },
        { event: 'content_block_delta', data: '{"index":0,"delta":{"type":"text_delta","text":"a"}}' },
      ],
      decodeAnthropicStream(),
    );
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { message: 'anthropic: malformed content_block_delta' } });
  });

  it('an out-of-range number (1e999, Infinity once parsed) is malformed, as zod numbers are finite', async () => {
    const events = await transform(
      [
        { event: 'message_start', data: JSON.stringify(messageStart) },
        { event: 'message_delta', data: '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1e999}}' },
      ],
      decodeAnthropicStream(),
    );
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { message: 'anthropic: malformed message_delta' } });
  });
});
