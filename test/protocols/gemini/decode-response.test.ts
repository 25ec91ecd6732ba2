import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import { decodeGeminiResponse } from '../../../src/protocols/gemini/decode-response';
import { fixture } from './helpers';

const json = (name: string): unknown => JSON.parse(fixture(name)) as unknown;

describe('decodeGeminiResponse', () => {
  it('google-text.json: the signature on the text part becomes an empty thinking block before the text', () => {
    const response = decodeGeminiResponse(json('google-text.json'));
    expect(response.id).toBe('Un6LacrVMcjUxs0PmJfWoQc');
    expect(response.model).toBe('gemini-3-pro-preview');
    expect(response.stopReason).toBe('end_turn');
    expect(response.content).toEqual([
      {
        type: 'thinking',
        text: '',
        signature: {
          origin: 'gemini',
          placement: 'tx',
          value: 'EtoFCtcFAb4+9vtfe4MXRxQjw48U1WKrR/7lYsgFkVi/bepqsSPjY0VU7HEzkeCBIfy1fu5t9aUZ4IZ65aWagqbBrV45fc97olcg',
        },
      },
      { type: 'text', text: "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y." },
    ]);
    expect(response.usage).toEqual({ inputTokens: 9, outputTokens: 272, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 244 });
  });

  it('issue-19822: cached and tool-use prompt tokens; totals add up to totalTokenCount', () => {
    const response = decodeGeminiResponse(json('issue-19822-complete-usage.json'));
    expect(response.content).toEqual([{ type: 'text', text: '42' }]);
    expect(response.usage).toEqual({ inputTokens: 82, outputTokens: 60, cacheReadTokens: 3, cacheWriteTokens: 0, reasoningTokens: 56 });
    expect(response.usage.inputTokens + response.usage.outputTokens).toBe(142);
  });

  it('function calls: minted ids from responseId, Gemini ids behind gem_, tool_use wins over STOP', () => {
    const response = decodeGeminiResponse({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'Checking.' },
              { functionCall: { name: 'a', args: { x: 1 } }, thoughtSignature: 'U0lH' },
              { functionCall: { name: 'b', id: 'g1' } },
            ],
          },
          finishReason: 'STOP',
        },
      ],
      responseId: 'r1',
      modelVersion: 'g',
    });
    expect(response.stopReason).toBe('tool_use');
    expect(response.content).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'thinking', text: '', signature: { origin: 'gemini', value: 'U0lH', placement: 'fc' } },
      { type: 'tool_call', id: 'call_r1_0', name: 'a', arguments: '{"x":1}' },
      { type: 'tool_call', id: 'gem_g1', name: 'b', arguments: '{}' },
    ]);
  });

  it('a blocked prompt is content_filter with no content', () => {
    const response = decodeGeminiResponse({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 4 } });
    expect(response.stopReason).toBe('content_filter');
    expect(response.content).toEqual([]);
    expect(response.usage.inputTokens).toBe(4);
  });

  it('throws a RelayError for an error body or an unreadable one', () => {
    expect(() => decodeGeminiResponse({ error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' } })).toThrow(RelayError);
    expect(() => decodeGeminiResponse('nope')).toThrow(RelayError);
  });
});
