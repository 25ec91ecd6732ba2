import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import type { RouteInfo } from '../../../src/protocols/codec';
import { decodeGeminiRequest, peekGeminiRequest } from '../../../src/protocols/gemini/decode-request';

const route: RouteInfo = { model: 'gemini-3-pro', stream: true, endpoint: 'generate' };
const user = (text: string) => ({ role: 'user', parts: [{ text }] });

const errorOf = (fn: () => unknown): RelayError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof RelayError) return error;
    throw error;
  }
  throw new Error('expected a RelayError');
};

describe('peekGeminiRequest', () => {
  it('reads model and stream from the route', () => {
    expect(peekGeminiRequest({ contents: [] }, route)).toEqual({ model: 'gemini-3-pro', stream: true });
    expect(peekGeminiRequest({}, { model: 'models/g' })).toEqual({ model: 'g', stream: false });
  });

  it('rejects a missing model and a non-object body', () => {
    expect(errorOf(() => peekGeminiRequest({}, {})).message).toBe('model: Required');
    expect(errorOf(() => peekGeminiRequest([], route)).kind).toBe('invalid_request');
  });
});

describe('decodeGeminiRequest', () => {
  it('decodes system, roles, sampling and thinking config', () => {
    const ir = decodeGeminiRequest(
      {
        systemInstruction: { parts: [{ text: 'Be terse.' }] },
        contents: [user('Hi'), { role: 'model', parts: [{ text: 'Hello' }] }, user('Weather?')],
        generationConfig: {
          temperature: 0.2,
          topP: 0.9,
          topK: 40,
          maxOutputTokens: 256,
          stopSequences: ['END'],
          seed: 7,
          presencePenalty: 0.1,
          frequencyPenalty: 0.3,
          thinkingConfig: { thinkingBudget: 2048, includeThoughts: true },
        },
      },
      route,
    );
    expect(ir).toEqual({
      model: 'gemini-3-pro',
      system: [{ type: 'text', text: 'Be terse.' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] },
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      ],
      stream: true,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      maxOutputTokens: 256,
      stopSequences: ['END'],
      seed: 7,
      presencePenalty: 0.1,
      frequencyPenalty: 0.3,
      reasoning: { enabled: true, effort: 'medium', budgetTokens: 2048, visible: true },
    });
  });

  it('accepts snake_case spellings without renaming user data', () => {
    const ir = decodeGeminiRequest(
      {
        system_instruction: { parts: [{ text: 'sys' }] },
        contents: [
          { role: 'user', parts: [{ inline_data: { mime_type: 'image/png', data: 'iVBO' } }] },
          { role: 'model', parts: [{ function_call: { name: 'read', args: { file_path: '/a' } }, thought_signature: 'U0lH' }] },
          { role: 'user', parts: [{ function_response: { name: 'read', response: { output: 'x', extra_field: 1 } } }] },
        ],
        tools: [{ function_declarations: [{ name: 'read', parameters_json_schema: { type: 'object', properties: { file_path: { type: 'string' } } } }] }],
        tool_config: { function_calling_config: { mode: 'ANY' } },
        generation_config: { max_output_tokens: 10, thinking_config: { thinking_level: 'LOW' } },
      },
      route,
    );
    expect(ir.system).toEqual([{ type: 'text', text: 'sys' }]);
    expect(ir.messages).toEqual([
      { role: 'user', content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBO' } }] },
      {
        role: 'assistant',
        content: [
          {
            type: 'tool_call',
            id: 'call_1_0',
            name: 'read',
            arguments: '{"file_path":"/a"}',
            signature: { origin: 'gemini', value: 'U0lH', placement: 'fc' },
          },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', toolCallId: 'call_1_0', name: 'read', content: [{ type: 'text', text: 'x' }] }] },
    ]);
    expect(ir.tools).toEqual([{ name: 'read', parameters: { type: 'object', properties: { file_path: { type: 'string' } } } }]);
    expect(ir.toolChoice).toEqual({ type: 'required' });
    expect(ir.maxOutputTokens).toBe(10);
    expect(ir.reasoning).toEqual({ enabled: true, effort: 'low' });
  });

  it('pairs id-less functionResponses with calls of the same name, in order', () => {
    const ir = decodeGeminiRequest(
      {
        contents: [
          user('Compare'),
          {
            role: 'model',
            parts: [
              { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
              { functionCall: { name: 'get_time', args: {} } },
              { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
            ],
          },
          {
            role: 'user',
            parts: [
              { functionResponse: { name: 'get_weather', response: { output: '18C' } } },
              { functionResponse: { name: 'get_weather', response: { error: 'down' } } },
              { functionResponse: { name: 'get_time', response: { hour: 9 } } },
            ],
          },
        ],
      },
      route,
    );
    expect(ir.messages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', toolCallId: 'call_1_0', name: 'get_weather', content: [{ type: 'text', text: '18C' }] },
        { type: 'tool_result', toolCallId: 'call_1_2', name: 'get_weather', content: [{ type: 'text', text: 'down' }], isError: true },
        { type: 'tool_result', toolCallId: 'call_1_1', name: 'get_time', content: [{ type: 'text', text: '{"hour":9}' }] },
      ],
    });
  });

  it('keeps client call ids and echoes them on the results', () => {
    const ir = decodeGeminiRequest(
      {
        contents: [
          user('x'),
          { role: 'model', parts: [{ functionCall: { id: 'toolu_1', name: 'ls' } }] },
          { role: 'user', parts: [{ functionResponse: { id: 'toolu_1', name: 'ls', response: { output: 'a b' } } }] },
        ],
      },
      route,
    );
    expect(ir.messages[1]?.content[0]).toMatchObject({ type: 'tool_call', id: 'toolu_1', arguments: '{}' });
    expect(ir.messages[2]?.content[0]).toMatchObject({ type: 'tool_result', toolCallId: 'toolu_1' });
    const mixed = decodeGeminiRequest(
      {
        contents: [
          user('x'),
          { role: 'model', parts: [{ functionCall: { name: 'ls' } }] },
          { role: 'user', parts: [{ functionResponse: { id: 'unknown', name: 'ls', response: {} } }] },
        ],
      },
      route,
    );
    expect(mixed.messages[2]?.content[0]).toMatchObject({ type: 'tool_result', toolCallId: 'call_1_0' });
  });

  it('reads thought parts (merged) and signatures on text parts', () => {
    const ir = decodeGeminiRequest(
      {
        contents: [
          user('q'),
          {
            role: 'model',
            parts: [
              { text: 'Think ', thought: true },
              { text: 'more.', thought: true, thoughtSignature: 'prx1:ant:c2ln' },
              { text: 'Answer', thoughtSignature: 'VFg=' },
            ],
          },
          user('next'),
        ],
      },
      route,
    );
    expect(ir.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', text: 'Think more.', signature: { origin: 'anthropic', value: 'c2ln' } },
        { type: 'thinking', text: '', signature: { origin: 'gemini', value: 'VFg=', placement: 'tx' } },
        { type: 'text', text: 'Answer' },
      ],
    });
  });

  it('maps media: inline PDF → file, fileData image → url image, functionResponse image parts', () => {
    const ir = decodeGeminiRequest(
      {
        contents: [
          {
            role: 'user',
            parts: [
              { inlineData: { mimeType: 'application/pdf', data: 'JVBE' } },
              { fileData: { mimeType: 'image/jpeg', fileUri: 'https://x.test/a.jpg' } },
              { fileData: { fileUri: 'gs://bucket/doc' } },
            ],
          },
          { role: 'model', parts: [{ functionCall: { name: 'shot' } }] },
          {
            role: 'user',
            parts: [{ functionResponse: { name: 'shot', response: {}, parts: [{ inlineData: { mimeType: 'image/png', data: 'iVBO' } }] } }],
          },
        ],
      },
      route,
    );
    expect(ir.messages[0]?.content).toEqual([
      { type: 'file', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBE' } },
      { type: 'image', source: { kind: 'url', url: 'https://x.test/a.jpg', mediaType: 'image/jpeg' } },
      { type: 'file', source: { kind: 'url', url: 'gs://bucket/doc' } },
    ]);
    expect(ir.messages[2]?.content[0]).toEqual({
      type: 'tool_result',
      toolCallId: 'call_1_0',
      name: 'shot',
      content: [
        { type: 'text', text: '{}' },
        { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBO' } },
      ],
    });
  });

  it('maps Gemini Schema parameters to JSON Schema and tool config modes', () => {
    const ir = decodeGeminiRequest(
      {
        contents: [user('x')],
        tools: [
          {
            functionDeclarations: [
              { name: 'a', description: 'A', parameters: { type: 'OBJECT', properties: { n: { type: 'INTEGER', nullable: true } }, required: ['n'] } },
              { name: 'b' },
              { name: 'c' },
            ],
          },
        ],
        toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['a'] } },
      },
      route,
    );
    expect(ir.tools?.[0]).toEqual({
      name: 'a',
      description: 'A',
      parameters: { type: 'object', properties: { n: { type: ['integer', 'null'] } }, required: ['n'] },
    });
    expect(ir.tools?.map((tool) => tool.name)).toEqual(['a']);
    expect(ir.toolChoice).toEqual({ type: 'tool', name: 'a' });
    const subset = decodeGeminiRequest(
      { contents: [user('x')], tools: [{ functionDeclarations: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }], toolConfig: { functionCallingConfig: { mode: 'VALIDATED', allowedFunctionNames: ['a', 'c'] } } },
      route,
    );
    expect(subset.tools?.map((tool) => tool.name)).toEqual(['a', 'c']);
    expect(subset.toolChoice).toEqual({ type: 'auto' });
    const none = decodeGeminiRequest({ contents: [user('x')], toolConfig: { functionCallingConfig: { mode: 'NONE' } } }, route);
    expect(none.toolChoice).toEqual({ type: 'none' });
  });

  it('maps structured output and thinking off', () => {
    const schema = decodeGeminiRequest(
      { contents: [user('x')], generationConfig: { responseMimeType: 'application/json', responseJsonSchema: { type: 'object' }, thinkingConfig: { thinkingBudget: 0 } } },
      route,
    );
    expect(schema.responseFormat).toEqual({ type: 'json_schema', schema: { type: 'object' } });
    expect(schema.reasoning).toEqual({ enabled: false, effort: 'none' });
    const openapi = decodeGeminiRequest(
      { contents: [user('x')], generationConfig: { responseMimeType: 'application/json', responseSchema: { type: 'ARRAY', items: { type: 'STRING' } } } },
      route,
    );
    expect(openapi.responseFormat).toEqual({ type: 'json_schema', schema: { type: 'array', items: { type: 'string' } } });
    const mode = decodeGeminiRequest({ contents: [user('x')], generationConfig: { responseMimeType: 'application/json' } }, route);
    expect(mode.responseFormat).toEqual({ type: 'json_object' });
  });

  it('reads both countTokens body shapes', () => {
    const count: RouteInfo = { model: 'gemini-3-pro', endpoint: 'count_tokens' };
    expect(decodeGeminiRequest({ contents: [user('x')] }, count).messages).toHaveLength(1);
    const wrapped = decodeGeminiRequest(
      { generateContentRequest: { model: 'models/gemini-3-pro', contents: [user('x')], systemInstruction: { parts: [{ text: 's' }] } } },
      { endpoint: 'count_tokens' },
    );
    expect(wrapped).toMatchObject({ model: 'gemini-3-pro', stream: false, system: [{ type: 'text', text: 's' }] });
    expect(errorOf(() => decodeGeminiRequest({}, count)).message).toBe('contents: Required');
  });

  it('rejects invalid bodies with a message naming the field', () => {
    expect(errorOf(() => decodeGeminiRequest({}, route)).message).toBe('contents: Required');
    expect(errorOf(() => decodeGeminiRequest({ contents: [{ role: 'user' }] }, route)).message).toBe('contents[0].parts: Required');
    expect(errorOf(() => decodeGeminiRequest({ contents: [{ role: 'bot', parts: [] }] }, route)).param).toBe('contents[0].role');
    const orphan = errorOf(() => decodeGeminiRequest({ contents: [{ role: 'user', parts: [{ functionResponse: { name: 'ls', response: {} } }] }] }, route));
    expect([orphan.kind, orphan.status]).toEqual(['invalid_request', 400]);
    expect(errorOf(() => decodeGeminiRequest({ contents: [user('x')] }, {})).message).toBe('model: Required');
  });

  it('refuses what the IR cannot carry with unsupported_feature 400', () => {
    const cases: unknown[] = [
      { contents: [user('x')], tools: [{ googleSearch: {} }] },
      { contents: [user('x')], tools: [{ codeExecution: {} }] },
      { contents: [user('x')], generationConfig: { candidateCount: 2 } },
      { contents: [user('x')], generationConfig: { responseLogprobs: true } },
      { contents: [user('x')], generationConfig: { responseModalities: ['TEXT', 'IMAGE'] } },
      { contents: [user('x')], generationConfig: { responseMimeType: 'text/x.enum' } },
      { contents: [user('x')], cachedContent: 'cachedContents/abc' },
      { contents: [{ role: 'model', parts: [{ executableCode: { code: 'print(1)' } }] }, user('x')] },
    ];
    for (const body of cases) {
      const error = errorOf(() => decodeGeminiRequest(body, route));
      expect([error.kind, error.status]).toEqual(['unsupported_feature', 400]);
    }
  });
});
