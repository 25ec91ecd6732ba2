import { GoogleGenAI } from '@google/genai/web';
import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import type { IrStreamEvent } from '../../../src/ir/stream-event';
import { encodeGeminiStream } from '../../../src/protocols/gemini/encode-stream';
import { encodeSse } from '../../../src/streams/sse-encode';
import { clientContext, parseData, runTransform } from './helpers';

const usage = { inputTokens: 30, outputTokens: 56, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 40 };

/** E5 as IR events: a thought, two parallel calls, STOP that means tool use, minted ids. */
const e5: IrStreamEvent[] = [
  { type: 'start', id: 'r9', model: 'g3', usage: { inputTokens: 30, outputTokens: 40, reasoningTokens: 40 } },
  { type: 'block_start', index: 0, block: { type: 'thinking' } },
  { type: 'block_delta', index: 0, delta: { type: 'thinking', text: 'Need both.' } },
  { type: 'block_delta', index: 0, delta: { type: 'signature', signature: { origin: 'gemini', value: 'U0lH', placement: 'fc' } } },
  { type: 'block_stop', index: 0 },
  { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'call_r9_0', name: 'get_weather' } },
  { type: 'block_delta', index: 1, delta: { type: 'arguments', json: '{"city":' } },
  { type: 'block_delta', index: 1, delta: { type: 'arguments', json: '"Paris"}' } },
  { type: 'block_stop', index: 1 },
  { type: 'block_start', index: 2, block: { type: 'tool_call', id: 'call_r9_1', name: 'get_weather' } },
  { type: 'block_delta', index: 2, delta: { type: 'arguments', json: '{"city":"Rome"}' } },
  { type: 'block_stop', index: 2 },
  { type: 'finish', stopReason: 'tool_use', usage },
];

const encode = async (events: IrStreamEvent[]) => runTransform(encodeGeminiStream(clientContext({ model: 'gemini-public' })), events);

describe('encodeGeminiStream', () => {
  it('E5: thought part, one whole functionCall part per call with its signature, finishReason last', async () => {
    const events = await encode(e5);
    expect(events.every((event) => event.event === undefined)).toBe(true);
    const envelope = { modelVersion: 'gemini-public', responseId: 'r9' };
    expect(parseData(events)).toEqual([
      {
        candidates: [{ content: { role: 'model', parts: [{ text: 'Need both.', thought: true }] }, index: 0 }],
        usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 0, totalTokenCount: 70, thoughtsTokenCount: 40 },
        ...envelope,
      },
      {
        candidates: [
          {
            content: { role: 'model', parts: [{ functionCall: { id: 'call_r9_0', name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'U0lH' }] },
            index: 0,
          },
        ],
        usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 0, totalTokenCount: 70, thoughtsTokenCount: 40 },
        ...envelope,
      },
      {
        candidates: [{ content: { role: 'model', parts: [{ functionCall: { id: 'call_r9_1', name: 'get_weather', args: { city: 'Rome' } } }] }, index: 0 }],
        usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 0, totalTokenCount: 70, thoughtsTokenCount: 40 },
        ...envelope,
      },
      {
        candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 16, totalTokenCount: 86, thoughtsTokenCount: 40 },
        ...envelope,
      },
    ]);
  });

  it('text deltas with cumulative usage; a text signature goes on a trailing empty part; no-arg tools send {}', async () => {
    const events = await encode([
      { type: 'start', id: 'msg_1', model: 'm', usage: { inputTokens: 5 } },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'block_delta', index: 0, delta: { type: 'text', text: 'Hel' } },
      { type: 'usage', usage: { outputTokens: 2 } },
      { type: 'block_delta', index: 0, delta: { type: 'text', text: 'lo' } },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'thinking' } },
      { type: 'block_delta', index: 1, delta: { type: 'signature', signature: { origin: 'gemini', value: 'VFg=', placement: 'tx' } } },
      { type: 'block_stop', index: 1 },
      { type: 'block_start', index: 2, block: { type: 'tool_call', id: 'toolu_1', name: 'ls' } },
      { type: 'block_stop', index: 2 },
      { type: 'finish', stopReason: 'max_tokens', usage: { inputTokens: 5, outputTokens: 9, cacheReadTokens: 2, cacheWriteTokens: 0, reasoningTokens: 0 } },
    ]);
    const chunks = parseData(events) as Array<{ candidates: Array<{ content: { parts: unknown[] }; finishReason?: string }>; usageMetadata: unknown }>;
    expect(chunks.map((chunk) => chunk.candidates[0]?.content.parts)).toEqual([
      [{ text: 'Hel' }],
      [{ text: 'lo' }],
      [{ text: '', thoughtSignature: 'VFg=' }],
      [{ functionCall: { id: 'toolu_1', name: 'ls', args: {} } }],
      [{ text: '' }],
    ]);
    expect(chunks.map((chunk) => chunk.usageMetadata)).toEqual([
      { promptTokenCount: 5, candidatesTokenCount: 0, totalTokenCount: 5 },
      { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 },
      { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 },
      { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 },
      { promptTokenCount: 5, candidatesTokenCount: 9, totalTokenCount: 14, cachedContentTokenCount: 2 },
    ]);
    expect(chunks[4]?.candidates[0]?.finishReason).toBe('MAX_TOKENS');
  });

  it('a foreign (Anthropic) signature rides in an envelope on an empty thought part', async () => {
    const events = await encode([
      { type: 'start', id: 'msg_1', model: 'm' },
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'block_delta', index: 0, delta: { type: 'thinking', text: 'Hmm.' } },
      { type: 'block_delta', index: 0, delta: { type: 'signature', signature: { origin: 'anthropic', value: 'EqQB' } } },
      { type: 'block_stop', index: 0 },
      { type: 'finish', stopReason: 'end_turn', usage },
    ]);
    const parts = (parseData(events) as Array<{ candidates: Array<{ content: { parts: unknown[] } }> }>).map((chunk) => chunk.candidates[0]?.content.parts);
    expect(parts).toEqual([[{ text: 'Hmm.', thought: true }], [{ text: '', thought: true, thoughtSignature: 'prx1:ant:EqQB' }], [{ text: '' }]]);
  });

  it('an error mid-stream becomes an {"error":…} chunk and nothing follows', async () => {
    const events = await encode([
      { type: 'start', id: 'r', model: 'm' },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'block_delta', index: 0, delta: { type: 'text', text: 'Hi' } },
      { type: 'error', error: new RelayError('overloaded', 529, 'anthropic: Overloaded') },
      { type: 'block_stop', index: 0 },
    ]);
    expect(parseData(events).slice(1)).toEqual([{ error: { code: 503, message: 'anthropic: Overloaded', status: 'UNAVAILABLE' } }]);
  });

  it('is read by the official js-genai SDK: text, thoughts, calls with ids, signatures, usage', async () => {
    const events = await encode(e5);
    const ai = new GoogleGenAI({
      apiKey: 'k',
      httpOptions: {
        baseUrl: 'https://relay.test',
        fetch: async () => {
          const body = new ReadableStream<(typeof events)[number]>({
            start(controller) {
              for (const event of events) controller.enqueue(event);
              controller.close();
            },
          }).pipeThrough(encodeSse());
          return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
        },
      },
    });
    const stream = await ai.models.generateContentStream({ model: 'gemini-public', contents: 'Compare Paris and Rome.' });
    const calls: unknown[] = [];
    let thoughts = '';
    let finish: string | undefined;
    let total: number | undefined;
    for await (const chunk of stream) {
      for (const part of chunk.candidates?.[0]?.content?.parts ?? []) {
        if (part.thought === true) thoughts += part.text ?? '';
        if (part.functionCall) calls.push({ ...part.functionCall, signature: part.thoughtSignature });
      }
      finish = chunk.candidates?.[0]?.finishReason ?? finish;
      total = chunk.usageMetadata?.totalTokenCount ?? total;
    }
    expect(thoughts).toBe('Need both.');
    expect(calls).toEqual([
      { id: 'call_r9_0', name: 'get_weather', args: { city: 'Paris' }, signature: 'U0lH' },
      { id: 'call_r9_1', name: 'get_weather', args: { city: 'Rome' }, signature: undefined },
    ]);
    expect(finish).toBe('STOP');
    expect(total).toBe(86);
  });
});
