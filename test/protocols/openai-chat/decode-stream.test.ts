import { describe, expect, it } from 'vitest';
import type { IrStreamEvent } from '../../../src/ir/stream-event';
import azureRouter from '../../fixtures/openai-chat/azure-model-router.1.chunks.txt?raw';
import toolStep from '../../fixtures/openai-chat/issue-15789-step-1.chunks.txt?raw';
import textStep from '../../fixtures/openai-chat/issue-15789-step-2.chunks.txt?raw';
import { chunkEvents, decodeEvents, expectIrInvariants, recordedEvents } from './helpers';

const envelope = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'g' };
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
  ...envelope,
  choices: [{ index: 0, delta, finish_reason: finish }],
});
const usageChunk = (usage: Record<string, unknown>) => ({ ...envelope, choices: [], usage });

const finishOf = (events: IrStreamEvent[]) => {
  const last = events[events.length - 1];
  if (last?.type !== 'finish') throw new Error(`stream did not finish: ${JSON.stringify(last)}`);
  return last;
};

const blockTypes = (events: IrStreamEvent[]) =>
  events.flatMap((event) => (event.type === 'block_start' ? [event.block.type] : []));

const textOf = (events: IrStreamEvent[], type: 'text' | 'thinking') =>
  events.map((event) => (event.type === 'block_delta' && event.delta.type === type ? event.delta.text : '')).join('');

const argsByIndex = (events: IrStreamEvent[]) => {
  const out: Record<number, string> = {};
  for (const event of events) {
    if (event.type === 'block_delta' && event.delta.type === 'arguments') out[event.index] = (out[event.index] ?? '') + event.delta.json;
  }
  return out;
};

describe('decodeOpenAIChatStream: recorded fixtures', () => {
  it('azure-model-router: skips the empty-choices preamble, reads text and the late usage chunk', async () => {
    const events = await decodeEvents(recordedEvents(azureRouter));
    expectIrInvariants(events);
    expect(events[0]).toEqual({ type: 'start', id: 'chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt', model: 'gpt-5-nano-2025-08-07' });
    expect(blockTypes(events)).toEqual(['text']);
    expect(textOf(events, 'text')).toBe('Capital of Denmark.');
    expect(finishOf(events)).toEqual({
      type: 'finish',
      stopReason: 'end_turn',
      stopSequence: null,
      usage: { inputTokens: 15, outputTokens: 78, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 64 },
    });
  });

  it('issue-15789-step-1: text, then a no-argument tool call ("" then "{}"), tool_calls, usage', async () => {
    const events = await decodeEvents(recordedEvents(toolStep));
    expectIrInvariants(events);
    expect(events).toContainEqual({
      type: 'block_start',
      index: 1,
      block: { type: 'tool_call', id: 'call_NZa7xqfefoaMI2YYHowVXVlU', name: 'weather' },
    });
    expect(textOf(events, 'text')).toBe('PRE_TOOL');
    expect(argsByIndex(events)).toEqual({ 1: '{}' });
    const finish = finishOf(events);
    expect(finish.stopReason).toBe('tool_use');
    expect(finish.usage).toEqual({ inputTokens: 58, outputTokens: 12, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it('issue-15789-step-2: plain text with stop', async () => {
    const events = await decodeEvents(recordedEvents(textStep));
    expectIrInvariants(events);
    expect(textOf(events, 'text')).toBe('POST_TOOL');
    expect(finishOf(events).stopReason).toBe('end_turn');
    expect(finishOf(events).usage.inputTokens).toBe(86);
  });

  it.each([
    ['azure-model-router', azureRouter],
    ['issue-15789-step-1', toolStep],
    ['issue-15789-step-2', textStep],
  ])('%s without [DONE]: EOF after finish_reason is a normal end, usage kept', async (_name, text) => {
    const withDone = await decodeEvents(recordedEvents(text));
    const withoutDone = await decodeEvents(recordedEvents(text, false));
    expect(withoutDone).toEqual(withDone);
  });

  it.each([
    ['azure-model-router', azureRouter],
    ['issue-15789-step-1', toolStep],
    ['issue-15789-step-2', textStep],
  ])('%s cut before finish_reason: ends with an IR error', async (_name, text) => {
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    const cut = lines.slice(0, lines.findIndex((line) => /"finish_reason":"/.test(line)));
    const events = await decodeEvents(cut.map((data) => ({ data })));
    const last = events[events.length - 1];
    expect(last?.type).toBe('error');
    if (last?.type === 'error') {
      expect(last.error.kind).toBe('api_error');
      expect(last.error.message).toBe('upstream stream ended before completion');
    }
    expect(events.some((event) => event.type === 'finish')).toBe(false);
  });
});

describe('decodeOpenAIChatStream: state machine', () => {
  it('E4: id+name+args bundled in the first chunk, usage after finish is held into finish', async () => {
    const events = await decodeEvents(
      chunkEvents([
        chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_x', type: 'function', function: { name: 'ls', arguments: '{}' } }] }),
        chunk({}, 'tool_calls'),
        usageChunk({ prompt_tokens: 58, completion_tokens: 12, total_tokens: 70, prompt_tokens_details: { cached_tokens: 0 } }),
        '[DONE]',
      ]),
    );
    expect(events).toEqual([
      { type: 'start', id: 'c1', model: 'g' },
      { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'call_x', name: 'ls' } },
      { type: 'block_delta', index: 0, delta: { type: 'arguments', json: '{}' } },
      { type: 'block_stop', index: 0 },
      {
        type: 'finish',
        stopReason: 'tool_use',
        stopSequence: null,
        usage: { inputTokens: 58, outputTokens: 12, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      },
    ]);
  });

  it('keeps the first token of a block when the chunk that switches from thinking to text carries it, reading reasoning_content and reasoning', async () => {
    const events = await decodeEvents(
      chunkEvents([
        chunk({ role: 'assistant', content: '' }),
        chunk({ reasoning_content: 'Let me ' }),
        chunk({ reasoning: 'think.' }),
        chunk({ content: 'Answer' }),
        chunk({ content: '!' }, 'stop'),
        '[DONE]',
      ]),
    );
    expectIrInvariants(events);
    expect(blockTypes(events)).toEqual(['thinking', 'text']);
    expect(textOf(events, 'thinking')).toBe('Let me think.');
    expect(textOf(events, 'text')).toBe('Answer!');
    expect(events.at(1)).toEqual({ type: 'block_start', index: 0, block: { type: 'thinking' } });
  });

  it('reads a refusal as text with the content_filter reason', async () => {
    const events = await decodeEvents(
      chunkEvents([chunk({ role: 'assistant', refusal: "I can't" }), chunk({ refusal: ' help.' }), chunk({}, 'stop'), '[DONE]']),
    );
    expectIrInvariants(events);
    expect(textOf(events, 'text')).toBe("I can't help.");
    expect(finishOf(events).stopReason).toBe('content_filter');
  });

  it('gives parallel calls dense block indices after text, with their own arguments', async () => {
    const events = await decodeEvents(
      chunkEvents([
        chunk({ role: 'assistant', content: 'Checking.' }),
        chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }] }),
        chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city"' } }] }),
        chunk({ tool_calls: [{ index: 1, function: { arguments: ':"Rome"}' } }] }),
        chunk({}, 'tool_calls'),
        '[DONE]',
      ]),
    );
    expectIrInvariants(events);
    expect(blockTypes(events)).toEqual(['text', 'tool_call', 'tool_call']);
    expect(argsByIndex(events)).toEqual({ 1: '{"city":"Paris"}', 2: '{"city":"Rome"}' });
  });

  it('holds back a second call while the first one is incomplete (interleaved indices lose nothing)', async () => {
    const events = await decodeEvents(
      chunkEvents([
        chunk({
          role: 'assistant',
          tool_calls: [
            { index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '{"x":' } },
            { index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '{"y":' } },
          ],
        }),
        chunk({ tool_calls: [{ index: 1, function: { arguments: '2}' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
        chunk({}, 'tool_calls'),
        '[DONE]',
      ]),
    );
    expectIrInvariants(events);
    expect(events).toContainEqual({ type: 'block_start', index: 0, block: { type: 'tool_call', id: 'call_a', name: 'a' } });
    expect(events).toContainEqual({ type: 'block_start', index: 1, block: { type: 'tool_call', id: 'call_b', name: 'b' } });
    expect(argsByIndex(events)).toEqual({ 0: '{"x":1}', 1: '{"y":2}' });
  });

  it('handles content, tool call and finish_reason bundled in one chunk, and mints a missing call id', async () => {
    const events = await decodeEvents(
      chunkEvents([
        chunk(
          { role: 'assistant', content: 'Sure.', tool_calls: [{ index: 0, type: 'function', function: { name: 'ls', arguments: '{"a":1}' } }] },
          'tool_calls',
        ),
      ]),
    );
    expectIrInvariants(events);
    expect(blockTypes(events)).toEqual(['text', 'tool_call']);
    const start = events.find((event) => event.type === 'block_start' && event.block.type === 'tool_call');
    expect(start?.type === 'block_start' && start.block.type === 'tool_call' && start.block.id).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(finishOf(events).stopReason).toBe('tool_use');
  });

  it('maps length and content_filter finish reasons, and cached/reasoning usage details', async () => {
    const events = await decodeEvents(
      chunkEvents([
        chunk({ role: 'assistant', content: 'abc' }),
        chunk({}, 'length'),
        usageChunk({
          prompt_tokens: 100,
          completion_tokens: 50,
          total_tokens: 150,
          prompt_tokens_details: { cached_tokens: 40, cache_write_tokens: 10 },
          completion_tokens_details: { reasoning_tokens: 20 },
        }),
        '[DONE]',
      ]),
    );
    expect(finishOf(events)).toEqual({
      type: 'finish',
      stopReason: 'max_tokens',
      stopSequence: null,
      usage: { inputTokens: 100, outputTokens: 50, cacheReadTokens: 40, cacheWriteTokens: 10, reasoningTokens: 20 },
    });
    const filtered = await decodeEvents(chunkEvents([chunk({ role: 'assistant' }), chunk({}, 'content_filter'), '[DONE]']));
    expect(finishOf(filtered).stopReason).toBe('content_filter');
    expect(blockTypes(filtered)).toEqual([]);
  });

  it('turns an in-stream error chunk into an IR error and stops', async () => {
    const events = await decodeEvents(
      chunkEvents([
        chunk({ role: 'assistant', content: 'Hel' }),
        { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
        chunk({ content: 'lo' }),
        '[DONE]',
      ]),
    );
    const last = events[events.length - 1];
    expect(last?.type).toBe('error');
    if (last?.type === 'error') {
      expect(last.error.kind).toBe('rate_limit');
      expect(last.error.status).toBe(429);
      expect(last.error.message).toBe('openai: Rate limit reached');
    }
    expect(textOf(events, 'text')).toBe('Hel');
  });

  it('reads `event: error` frames', async () => {
    const events = await decodeEvents([{ event: 'error', data: '{"error":{"message":"boom","type":"server_error"}}' }]);
    expect(events).toHaveLength(1);
    expect(events[0]?.type === 'error' && events[0].error.message).toBe('openai: boom');
  });

  it('fails on malformed JSON (openai-node throws on it too)', async () => {
    const events = await decodeEvents(chunkEvents([chunk({ role: 'assistant', content: 'a' }), '{"id":', '[DONE]']));
    const last = events[events.length - 1];
    expect(last?.type === 'error' && last.error.message).toBe('openai: malformed stream chunk');
  });

  it('emits start and finish for a [DONE]-only stream', async () => {
    const events = await decodeEvents([{ data: '[DONE]' }]);
    expectIrInvariants(events);
    expect(events.map((event) => event.type)).toEqual(['start', 'finish']);
  });
});

describe('decodeOpenAIChatStream: chunk shapes', () => {
  it('accepts unknown fields at every level it reads', async () => {
    const events = await decodeEvents(
      chunkEvents([
        { ...chunk({ role: 'assistant', content: 'Hi', annotations: [], audio: null }), service_tier: 'default', obfuscation: 'x' },
        {
          ...envelope,
          choices: [
            {
              index: 0,
              logprobs: { content: [] },
              delta: { tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{}', strict: true }, extra: 1 }] },
              finish_reason: null,
              content_filter_results: {},
            },
          ],
        },
        chunk({}, 'tool_calls'),
        usageChunk({ prompt_tokens: 5, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 1, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, accepted_prediction_tokens: 0 } }),
        '[DONE]',
      ]),
    );
    expectIrInvariants(events);
    expect(textOf(events, 'text')).toBe('Hi');
    expect(argsByIndex(events)).toEqual({ 1: '{}' });
    expect(finishOf(events)).toMatchObject({ stopReason: 'tool_use', usage: { inputTokens: 5, outputTokens: 2, cacheReadTokens: 1 } });
  });

  it('checks every choice, not only the one it reads', async () => {
    const events = await decodeEvents(chunkEvents([{ ...envelope, choices: [{ index: 0, delta: { content: 'a' } }, { index: 1, delta: { content: 7 } }] }]));
    expect(events).toHaveLength(1);
    expect(events[0]?.type === 'error' && events[0].error.message).toBe('openai: unreadable stream chunk');
  });

  it.each<[string, unknown]>([
    ['choices that are an object', { ...envelope, choices: { index: 0 } }],
    ['a choice that is not an object', { ...envelope, choices: ['x'] }],
    ['content that is a number', chunk({ content: 5 })],
    ['a refusal that is an object', chunk({ refusal: {} })],
    ['a finish_reason that is a number', chunk({}, 1 as unknown as string)],
    ['tool_calls that are an object', chunk({ tool_calls: { index: 0 } })],
    ['a tool call index that is a string', chunk({ tool_calls: [{ index: '0', function: { name: 'f' } }] })],
    ['tool arguments that are an object', chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: {} } }] })],
    ['a usage count that is a string', usageChunk({ prompt_tokens: '5' })],
    ['reasoning_tokens that is a boolean', usageChunk({ completion_tokens_details: { reasoning_tokens: true } })],
    ['an id that is a number', { ...chunk({ content: 'a' }), id: 1 }],
    ['an error that is a number', { error: 5 }],
    ['an error object with a numeric message', { error: { message: 5 } }],
    ['a payload that is an array', [chunk({ content: 'a' })]],
  ])('fails on %s: unreadable stream chunk', async (_what, payload) => {
    const events = await decodeEvents(chunkEvents([payload, '[DONE]']));
    const last = events[events.length - 1];
    expect(last?.type === 'error' && [last.error.kind, last.error.message]).toEqual(['api_error', 'openai: unreadable stream chunk']);
    expect(last?.type === 'error' && last.error.cause).toBeDefined();
  });

  it('reads reasoning extensions only when they are strings, whatever else they are', async () => {
    const events = await decodeEvents(
      chunkEvents([chunk({ reasoning_content: { text: 'x' }, reasoning: ['y'] }), chunk({ reasoning: 'ok' }), chunk({}, 'stop'), '[DONE]']),
    );
    expect(textOf(events, 'thinking')).toBe('ok');
  });

  it('keeps a numeric error code, and reads an `event: error` frame it cannot read as "stream error"', async () => {
    const coded = await decodeEvents(chunkEvents([{ error: { message: 'Overloaded', code: 503, type: 'overloaded' } }]));
    expect(coded[0]?.type === 'error' && [coded[0].error.kind, coded[0].error.code, coded[0].error.message]).toEqual(['overloaded', '503', 'openai: Overloaded']);
    const unreadable = await decodeEvents([{ event: 'error', data: '{"error":{"message":5}}' }]);
    expect(unreadable[0]?.type === 'error' && unreadable[0].error.message).toBe('openai: stream error');
  });
});
