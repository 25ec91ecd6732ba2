import { describe, expect, it } from 'vitest';
import { normalizeGeminiKeys } from '../../../src/protocols/gemini/normalize';

describe('normalizeGeminiKeys', () => {
  it('renames proto fields to camelCase but never user data or property names', () => {
    expect(
      normalizeGeminiKeys({
        generation_config: { max_output_tokens: 5, response_schema: { type: 'OBJECT', property_ordering: ['file_path'], properties: { file_path: { max_length: '9' } } } },
        contents: [{ parts: [{ function_call: { name: 'f', args: { file_path: 'a', nested_key: { inner_key: 1 } } }, thought_signature: 'x' }] }],
        tools: [{ function_declarations: [{ name: 'f', parameters_json_schema: { properties: { file_path: {} } } }] }],
      }),
    ).toEqual({
      generationConfig: { maxOutputTokens: 5, responseSchema: { type: 'OBJECT', propertyOrdering: ['file_path'], properties: { file_path: { maxLength: '9' } } } },
      contents: [{ parts: [{ functionCall: { name: 'f', args: { file_path: 'a', nested_key: { inner_key: 1 } } }, thoughtSignature: 'x' }] }],
      tools: [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { properties: { file_path: {} } } }] }],
    });
  });
});
