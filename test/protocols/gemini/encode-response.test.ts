import { GoogleGenAI } from '@google/genai/web';
import { describe, expect, it } from 'vitest';
import type { IrResponse } from '../../../src/ir/response';
import { decodeGeminiResponse } from '../../../src/protocols/gemini/decode-response';
import { encodeGeminiResponse } from '../../../src/protocols/gemini/encode-response';
import { clientContext, fixture } from './helpers';

const usage = { inputTokens: 30, outputTokens: 56, cacheReadTokens: 4, cacheWriteTokens: 0, reasoningTokens: 40 };

describe('encodeGeminiResponse', () => {
  it('E5 as a non-stream answer: thought part, calls with ids, signature on the first call', () => {
    const response: IrResponse = {
      id: 'r9',
      model: 'g3',
      content: [
        { type: 'thinking', text: 'Need both.', signature: { origin: 'gemini', value: 'U0lH', placement: 'fc' } },
        { type: 'tool_call', id: 'call_r9_0', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'tool_call', id: 'call_r9_1', name: 'get_weather', arguments: '' },
      ],
      stopReason: 'tool_use',
      usage,
    };
    expect(encodeGeminiResponse(response, clientContext({ model: 'public-name' }))).toEqual({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'Need both.', thought: true },
              { functionCall: { id: 'call_r9_0', name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'U0lH' },
              { functionCall: { id: 'call_r9_1', name: 'get_weather', args: {} } },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 16, totalTokenCount: 86, cachedContentTokenCount: 4, thoughtsTokenCount: 40 },
      modelVersion: 'public-name',
      responseId: 'r9',
    });
  });

  it('round-trips google-text.json: the signature lands back on its text part', () => {
    const original = JSON.parse(fixture('google-text.json')) as { candidates: Array<{ content: { parts: unknown[] } }> };
    const encoded = encodeGeminiResponse(decodeGeminiResponse(original), clientContext());
    expect(encoded.candidates[0]?.content?.parts).toEqual(original.candidates[0]?.content.parts);
  });

  it('foreign signatures ride on the thought part; redacted thinking is left out; refusals are SAFETY', () => {
    const response: IrResponse = {
      id: 'msg_1',
      model: 'c',
      content: [
        { type: 'thinking', text: '', signature: { origin: 'anthropic', value: 'EqQB' } },
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'text', text: 'No.' },
      ],
      stopReason: 'content_filter',
      usage,
    };
    const encoded = encodeGeminiResponse(response, clientContext());
    expect(encoded.candidates[0]).toEqual({
      content: { role: 'model', parts: [{ text: '', thought: true, thoughtSignature: 'prx1:ant:EqQB' }, { text: 'No.' }] },
      finishReason: 'SAFETY',
      index: 0,
    });
  });

  it('an empty answer has no content; max_tokens and context_window are MAX_TOKENS', () => {
    const base: IrResponse = { id: 'x', model: 'm', content: [], stopReason: 'max_tokens', usage };
    expect(encodeGeminiResponse(base, clientContext()).candidates[0]).toEqual({ finishReason: 'MAX_TOKENS', index: 0 });
    expect(encodeGeminiResponse({ ...base, stopReason: 'context_window' }, clientContext()).candidates[0]?.finishReason).toBe('MAX_TOKENS');
  });

  it('is read by the official js-genai SDK (text, functionCalls, usage)', async () => {
    const response: IrResponse = {
      id: 'r1',
      model: 'g',
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_call', id: 'call_r1_0', name: 'ls', arguments: '{"path":"/"}' },
      ],
      stopReason: 'tool_use',
      usage,
    };
    const body = encodeGeminiResponse(response, clientContext({ model: 'public-name' }));
    const ai = new GoogleGenAI({
      apiKey: 'k',
      httpOptions: { baseUrl: 'https://relay.test', fetch: async () => Response.json(body) },
    });
    const answer = await ai.models.generateContent({ model: 'public-name', contents: 'ls /' });
    expect(answer.text).toBe('Checking.');
    expect(answer.functionCalls).toEqual([{ id: 'call_r1_0', name: 'ls', args: { path: '/' } }]);
    expect(answer.usageMetadata?.totalTokenCount).toBe(86);
    expect(answer.responseId).toBe('r1');
  });
});
