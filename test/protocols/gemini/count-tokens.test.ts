import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import { decodeGeminiCountTokens, encodeGeminiCountTokens, encodeGeminiTokenCount } from '../../../src/protocols/gemini/count-tokens';
import { irRequest } from './helpers';

describe('Gemini countTokens', () => {
  it('wraps a generateContentRequest so system and tools are counted', () => {
    const encoded = encodeGeminiCountTokens(
      irRequest({
        system: [{ type: 'text', text: 'sys' }],
        tools: [{ name: 't', parameters: { type: 'object' } }],
        maxOutputTokens: 5,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'prefill' }] },
        ],
      }),
      { model: 'gemini-3-pro', stream: false },
    );
    expect(encoded).toEqual({
      path: '/v1beta/models/gemini-3-pro:countTokens',
      body: {
        generateContentRequest: {
          model: 'models/gemini-3-pro',
          contents: [
            { role: 'user', parts: [{ text: 'Hi' }] },
            { role: 'model', parts: [{ text: 'prefill' }] },
          ],
          systemInstruction: { parts: [{ text: 'sys' }] },
          tools: [{ functionDeclarations: [{ name: 't', parametersJsonSchema: { type: 'object' } }] }],
        },
      },
    });
  });

  it('reads totalTokens (absent = 0, as proto3 omits it) and answers {totalTokens}', () => {
    expect(decodeGeminiCountTokens({ totalTokens: 31, promptTokensDetails: [] })).toBe(31);
    expect(decodeGeminiCountTokens({})).toBe(0);
    expect(() => decodeGeminiCountTokens('x')).toThrow(RelayError);
    expect(encodeGeminiTokenCount(12)).toEqual({ totalTokens: 12 });
  });
});
