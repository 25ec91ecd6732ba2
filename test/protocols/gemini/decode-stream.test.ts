import { describe, expect, it } from 'vitest';
import type { IrStreamEvent } from '../../../src/ir/stream-event';
import { decodeGeminiStream } from '../../../src/protocols/gemini/decode-stream';
import { expectIrInvariants, fixture, geminiFixtures, recordedEvents, runTransform } from './helpers';

const decode = (chunks: unknown[]): Promise<IrStreamEvent[]> =>
  runTransform(decodeGeminiStream(), chunks.map((chunk) => ({ data: JSON.stringify(chunk) })));

const replay = (name: string): Promise<IrStreamEvent[]> => runTransform(decodeGeminiStream(), recordedEvents(fixture(name)));

const chunk = (parts: unknown[], extra: Record<string, unknown> = {}, finishReason?: string) => ({
  candidates: [{ content: { role: 'model', parts }, index: 0, ...(finishReason ? { finishReason } : {}) }],
  modelVersion: 'g3',
  responseId: 'r9',
  ...extra,
});

describe('decodeGeminiStream: recorded fixtures', () => {
  it('replays every recorded stream with the IR invariants intact and a finish', async () => {
    const names = Object.keys(geminiFixtures).filter((name) => name.endsWith('.chunks.txt'));
    expect(names.length).toBe(4);
    for (const name of names) {
      const events = await replay(name);
      expectIrInvariants(events);
      expect(events[events.length - 1]?.type, name).toBe('finish');
    }
  });

  it('google-text: text deltas, then the trailing signature as an empty thinking block (tx)', async () => {
    const events = await replay('google-text.chunks.txt');
    expect(events[0]).toEqual({
      type: 'start',
      id: 'bH6LaZW8Fp_3nsEPqtaSwQ4',
      model: 'gemini-3-pro-preview',
      usage: { inputTokens: 9, outputTokens: 190, reasoningTokens: 185 },
    });
    expect(events.slice(1, 5)).toEqual([
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'block_delta', index: 0, delta: { type: 'text', text: 'There are **3**' } },
      { type: 'usage', usage: { inputTokens: 9, outputTokens: 208, reasoningTokens: 185 } },
      { type: 'block_delta', index: 0, delta: { type: 'text', text: ' "r"s in strawberry.\n\nst**r**awbe**rr**y' } },
    ]);
    expect(events[5]).toEqual({ type: 'block_stop', index: 0 });
    expect(events[6]).toEqual({ type: 'block_start', index: 1, block: { type: 'thinking' } });
    const signature = events[7];
    expect(signature?.type === 'block_delta' && signature.delta.type === 'signature' && signature.delta.signature).toMatchObject({
      origin: 'gemini',
      placement: 'tx',
    });
    expect(events.slice(8)).toEqual([
      { type: 'block_stop', index: 1 },
      {
        type: 'finish',
        stopReason: 'end_turn',
        usage: { inputTokens: 9, outputTokens: 208, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 185 },
      },
    ]);
  });

  it('google-tool-call: signature before the call, args whole, STOP ⇒ tool_use, minted id', async () => {
    const events = await replay('google-tool-call.chunks.txt');
    const types = events.map((event) => event.type);
    expect(types).toEqual(['start', 'block_start', 'block_delta', 'block_stop', 'block_start', 'block_delta', 'block_stop', 'finish']);
    expect(events[2]).toMatchObject({ delta: { type: 'signature', signature: { origin: 'gemini', placement: 'fc' } } });
    expect(events[4]).toEqual({
      type: 'block_start',
      index: 1,
      block: { type: 'tool_call', id: 'call_b36LacjwM668nsEP2tbsgQQ_0', name: 'weather' },
    });
    expect(events[5]).toEqual({ type: 'block_delta', index: 1, delta: { type: 'arguments', json: '{"location":"San Francisco"}' } });
    expect(events[7]).toMatchObject({ type: 'finish', stopReason: 'tool_use', usage: { inputTokens: 29, outputTokens: 60, reasoningTokens: 45 } });
  });

  it('vertex no-args + parallel streamed args: one whole tool block per call, dense ids', async () => {
    const events = await replay('google-stream-no-args-tool-call.chunks.txt');
    const starts = events.flatMap((event) => (event.type === 'block_start' ? [event.block] : []));
    expect(starts).toEqual([
      { type: 'thinking' },
      { type: 'tool_call', id: 'call__vr4aYiWEJnYodAPkujX0QM_0', name: 'read_theme' },
      { type: 'tool_call', id: 'call__vr4aYiWEJnYodAPkujX0QM_1', name: 'read_screen' },
      { type: 'tool_call', id: 'call__vr4aYiWEJnYodAPkujX0QM_2', name: 'read_screen' },
      { type: 'tool_call', id: 'call__vr4aYiWEJnYodAPkujX0QM_3', name: 'read_screen' },
    ]);
    const args = events.flatMap((event) => (event.type === 'block_delta' && event.delta.type === 'arguments' ? [event.delta.json] : []));
    expect(args).toEqual(['{}', '{"id":"A"}', '{"id":"B"}', '{"id":"C"}']);
    const thinking = events.flatMap((event) => (event.type === 'block_delta' && event.index === 0 ? [event.delta.type] : []));
    expect(thinking).toEqual(['thinking', 'signature']);
    expect(events[0]).toEqual({ type: 'start', id: '_vr4aYiWEJnYodAPkujX0QM', model: 'gemini-3-flash-preview' });
    expect(events[events.length - 1]).toEqual({
      type: 'finish',
      stopReason: 'tool_use',
      usage: { inputTokens: 249, outputTokens: 241, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 183 },
    });
  });

  it('issue-19758: a blocked prompt (no candidates) finishes with content_filter', async () => {
    const events = await replay('issue-19758-prompt-block.chunks.txt');
    expect(events).toEqual([
      { type: 'start', id: 'EXCPatOAKMrQjMcPteHVmQo', model: 'gemini-3.7-flash', usage: { inputTokens: 9 } },
      {
        type: 'finish',
        stopReason: 'content_filter',
        usage: { inputTokens: 9, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      },
    ]);
  });
});

describe('decodeGeminiStream: rules', () => {
  it('E5: thought, then parallel calls in one chunk; the signature closes the thinking block', async () => {
    const events = await decode([
      chunk([{ text: 'Need both.', thought: true }], { usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 0, thoughtsTokenCount: 40, totalTokenCount: 70 } }),
      chunk(
        [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'U0lH' },
          { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
        ],
        { usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 16, thoughtsTokenCount: 40, totalTokenCount: 86 } },
        'STOP',
      ),
    ]);
    expectIrInvariants(events);
    expect(events).toEqual([
      { type: 'start', id: 'r9', model: 'g3', usage: { inputTokens: 30, outputTokens: 40, reasoningTokens: 40 } },
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'block_delta', index: 0, delta: { type: 'thinking', text: 'Need both.' } },
      { type: 'usage', usage: { inputTokens: 30, outputTokens: 56, reasoningTokens: 40 } },
      { type: 'block_delta', index: 0, delta: { type: 'signature', signature: { origin: 'gemini', value: 'U0lH', placement: 'fc' } } },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'call_r9_0', name: 'get_weather' } },
      { type: 'block_delta', index: 1, delta: { type: 'arguments', json: '{"city":"Paris"}' } },
      { type: 'block_stop', index: 1 },
      { type: 'block_start', index: 2, block: { type: 'tool_call', id: 'call_r9_1', name: 'get_weather' } },
      { type: 'block_delta', index: 2, delta: { type: 'arguments', json: '{"city":"Rome"}' } },
      { type: 'block_stop', index: 2 },
      { type: 'finish', stopReason: 'tool_use', usage: { inputTokens: 30, outputTokens: 56, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 40 } },
    ]);
  });

  it('keeps a Gemini-minted call id behind the gem_ marker', async () => {
    const events = await decode([chunk([{ functionCall: { id: 'x7', name: 'ls' } }], {}, 'STOP')]);
    expect(events[1]).toEqual({ type: 'block_start', index: 0, block: { type: 'tool_call', id: 'gem_x7', name: 'ls' } });
    expect(events[2]).toEqual({ type: 'block_delta', index: 0, delta: { type: 'arguments', json: '{}' } });
  });

  it('a signature on a visible text part opens an empty thinking block before the text', async () => {
    const events = await decode([chunk([{ text: 'Answer', thoughtSignature: 'U0lH' }], {}, 'STOP')]);
    expect(events.slice(1, 6).map((event) => `${event.type}:${'block' in event ? event.block.type : 'delta' in event ? event.delta.type : ''}`)).toEqual([
      'block_start:thinking',
      'block_delta:signature',
      'block_stop:',
      'block_start:text',
      'block_delta:text',
    ]);
  });

  it('EOF without a finishReason is an error', async () => {
    const events = await decode([chunk([{ text: 'Hel' }])]);
    expect(events.map((event) => event.type)).toEqual(['start', 'block_start', 'block_delta', 'error']);
    const last = events[3];
    expect(last?.type === 'error' && last.error.kind).toBe('api_error');
    expect(last?.type === 'error' && last.error.message).toBe('upstream stream ended before completion');
  });

  it('an in-stream error chunk becomes an IR error and ends the stream', async () => {
    const events = await decode([
      chunk([{ text: 'Hel' }]),
      { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } },
      chunk([{ text: 'lo' }], {}, 'STOP'),
    ]);
    expect(events.map((event) => event.type)).toEqual(['start', 'block_start', 'block_delta', 'error']);
    const last = events[3];
    expect(last?.type === 'error' && [last.error.kind, last.error.status, last.error.message]).toEqual([
      'overloaded',
      503,
      'gemini: The model is overloaded.',
    ]);
  });

  it('a data line that is not JSON is an error (js-genai throws on it too)', async () => {
    const events = await runTransform(decodeGeminiStream(), [{ data: JSON.stringify(chunk([{ text: 'a' }])) }, { data: '{not json' }]);
    expect(events[events.length - 1]?.type).toBe('error');
  });

  it('MAX_TOKENS ⇒ max_tokens, SAFETY ⇒ content_filter', async () => {
    const [maxTokens, safety] = await Promise.all([
      decode([chunk([{ text: 'a' }], {}, 'MAX_TOKENS')]),
      decode([chunk([], {}, 'SAFETY')]),
    ]);
    expect(maxTokens[maxTokens.length - 1]).toMatchObject({ type: 'finish', stopReason: 'max_tokens' });
    expect(safety[safety.length - 1]).toMatchObject({ type: 'finish', stopReason: 'content_filter' });
  });

  it('reads usage arriving after the finishReason chunk', async () => {
    const events = await decode([
      chunk([{ text: 'a' }], {}, 'STOP'),
      { usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 1, totalTokenCount: 5 }, responseId: 'r9' },
    ]);
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', usage: { inputTokens: 4, outputTokens: 1 } });
  });
});

describe('decodeGeminiStream: chunk shapes', () => {
  it('accepts unknown fields at every level it reads', async () => {
    const events = await decode([
      chunk([{ text: 'Hi', partMetadata: {} }], {
        usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 1, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 2 }] },
        promptFeedback: { safetyRatings: [] },
        createTime: 'now',
      }),
      {
        candidates: [
          {
            content: { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 }, extra: true }, videoMetadata: null }] },
            finishReason: 'STOP',
            safetyRatings: [],
          },
        ],
        responseId: 'r9',
      },
    ]);
    expectIrInvariants(events);
    expect(events.map((event) => event.type)).toEqual(['start', 'block_start', 'block_delta', 'block_stop', 'block_start', 'block_delta', 'block_stop', 'finish']);
    expect(events[5]).toEqual({ type: 'block_delta', index: 1, delta: { type: 'arguments', json: '{"a":1}' } });
  });

  it.each<[string, unknown]>([
    ['candidates that are an object', { candidates: { content: {} } }],
    ['parts that are an object', { candidates: [{ content: { parts: { text: 'a' } } }] }],
    ['a text that is a number', chunk([{ text: 5 }])],
    ['a thought flag that is a string', chunk([{ text: 'a', thought: 'true' }])],
    ['a thoughtSignature that is an object', chunk([{ text: 'a', thoughtSignature: {} }])],
    ['call args that are an array', chunk([{ functionCall: { name: 'f', args: [] } }])],
    ['a call name that is a number', chunk([{ functionCall: { name: 1 } }])],
    ['a partial arg numberValue that is a string', chunk([{ functionCall: { name: 'f', partialArgs: [{ jsonPath: '$.a', numberValue: '1' }], willContinue: true } }])],
    ['a finishReason that is a number', chunk([], {}, 1 as unknown as string)],
    ['a usage count that is a string', chunk([{ text: 'a' }], { usageMetadata: { promptTokenCount: '9' } })],
    ['a blockReason that is a boolean', { promptFeedback: { blockReason: true } }],
    ['a responseId that is a number', chunk([{ text: 'a' }], { responseId: 9 })],
    ['an error code that is a string', { error: { code: '503', message: 'x' } }],
    ['error details that are not objects', { error: { code: 503, details: ['x'] } }],
    ['a chunk that is an array', [chunk([{ text: 'a' }])]],
  ])('fails on %s: unreadable stream chunk', async (_what, payload) => {
    const events = await decode([payload]);
    expect(events).toHaveLength(1);
    expect(events[0]?.type === 'error' && [events[0].error.kind, events[0].error.message]).toEqual(['api_error', 'gemini: unreadable stream chunk']);
  });

  it('fails on a count out of range (1e999 parses to Infinity, which zod numbers refuse)', async () => {
    const events = await runTransform(decodeGeminiStream(), [{ data: '{"usageMetadata":{"promptTokenCount":1e999}}' }]);
    expect(events[0]?.type === 'error' && events[0].error.message).toBe('gemini: unreadable stream chunk');
  });
});
