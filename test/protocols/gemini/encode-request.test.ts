import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import type { IrMessage } from '../../../src/ir/request';
import { encodeGeminiRequest } from '../../../src/protocols/gemini/encode-request';
import { rewriteGeminiPassthrough } from '../../../src/protocols/gemini/passthrough';
import { irRequest } from './helpers';

const target = { model: 'gemini-3-pro', stream: false };

const errorOf = (fn: () => unknown): RelayError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof RelayError) return error;
    throw error;
  }
  throw new Error('expected a RelayError');
};

/** E2 (tool history, parallel results, empty assistant content), as the Chat decoder hands it over. */
const e2History: IrMessage[] = [
  { role: 'user', content: [{ type: 'text', text: 'Compare Paris and Rome.' }] },
  {
    role: 'assistant',
    content: [
      { type: 'tool_call', id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool_call', id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
    ],
  },
  { role: 'user', content: [{ type: 'tool_result', toolCallId: 'call_a', content: [{ type: 'text', text: '18C' }] }] },
  { role: 'user', content: [{ type: 'tool_result', toolCallId: 'call_b', content: [{ type: 'text', text: '24C' }] }] },
];

describe('encodeGeminiRequest', () => {
  it('E2: placeholder on the first call, no foreign ids, names resolved, results merged', () => {
    const encoded = encodeGeminiRequest(irRequest({ messages: e2History }), target);
    expect(encoded.path).toBe('/v1beta/models/gemini-3-pro:generateContent');
    expect(encoded.body).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Compare Paris and Rome.' }] },
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'skip_thought_signature_validator' },
            { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_weather', response: { output: '18C' } } },
            { functionResponse: { name: 'get_weather', response: { output: '24C' } } },
          ],
        },
      ],
    });
  });

  it('streams with alt=sse; tuned models keep their collection', () => {
    expect(encodeGeminiRequest(irRequest(), { model: 'gemini-3-pro', stream: true }).path).toBe(
      '/v1beta/models/gemini-3-pro:streamGenerateContent?alt=sse',
    );
    expect(encodeGeminiRequest(irRequest(), { model: 'tunedModels/mine', stream: false }).path).toBe('/v1beta/tunedModels/mine:generateContent');
  });

  it('E5 round trip: the gemini envelope goes back as a Part-level signature on its call; thinking text is not sent', () => {
    const messages: IrMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'Compare.' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'Need both.', signature: { origin: 'gemini', value: 'U0lH', placement: 'fc' } },
          { type: 'tool_call', id: 'call_r9_0', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool_call', id: 'gem_fc2', name: 'get_weather', arguments: '{"city":"Rome"}' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolCallId: 'call_r9_0', content: [{ type: 'text', text: '18C' }] },
          { type: 'tool_result', toolCallId: 'gem_fc2', content: [{ type: 'text', text: 'boom' }], isError: true },
        ],
      },
    ];
    const body = encodeGeminiRequest(irRequest({ messages }), target).body;
    expect(body).toMatchObject({
      contents: [
        {},
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'U0lH' },
            { functionCall: { name: 'get_weather', args: { city: 'Rome' }, id: 'fc2' } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_weather', response: { output: '18C' } } },
            { functionResponse: { name: 'get_weather', response: { error: 'boom' }, id: 'fc2' } },
          ],
        },
      ],
    });
    const model = JSON.stringify(body);
    expect(model).not.toContain('Need both.');
    expect(model).not.toContain('call_r9_0');
  });

  it('puts text signatures back on the following text part, or a trailing empty text part', () => {
    const messages: IrMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: '', signature: { origin: 'gemini', value: 'T1', placement: 'tx' } },
          { type: 'text', text: 'Answer.' },
          { type: 'thinking', text: '', signature: { origin: 'gemini', value: 'T2', placement: 'tx' } },
          { type: 'thinking', text: 'foreign', signature: { origin: 'anthropic', value: 'sig' } },
          { type: 'redacted_thinking', data: 'opaque' },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'again' }] },
    ];
    const body = encodeGeminiRequest(irRequest({ messages }), target).body;
    expect(body).toMatchObject({
      contents: [{}, { role: 'model', parts: [{ text: 'Answer.', thoughtSignature: 'T1' }, { text: '', thoughtSignature: 'T2' }] }, {}],
    });
  });

  it('uses a tool call’s own signature (from an A client stash) over the placeholder', () => {
    const messages: IrMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_call', id: 'c1', name: 'ls', arguments: '', signature: { origin: 'gemini', value: 'OWN' } }] },
      { role: 'user', content: [{ type: 'tool_result', toolCallId: 'c1', content: [] }] },
    ];
    const body = encodeGeminiRequest(irRequest({ messages }), target).body;
    expect(body).toMatchObject({
      contents: [{}, { parts: [{ text: 'Checking.' }, { functionCall: { name: 'ls', args: {} }, thoughtSignature: 'OWN' }] }, { parts: [{ functionResponse: { name: 'ls', response: { output: '' } } }] }],
    });
  });

  it('maps system, tools, tool choice, sampling, structured output and reasoning', () => {
    const encoded = encodeGeminiRequest(
      irRequest({
        system: [{ type: 'text', text: 'Be terse.' }],
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'Late rule.' }] },
          { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBO' } }] },
        ],
        tools: [
          {
            name: 'get_weather',
            description: 'Current weather',
            parameters: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false },
          },
          { name: 'noop', parameters: {} },
        ],
        toolChoice: { type: 'tool', name: 'get_weather' },
        parallelToolCalls: false,
        maxOutputTokens: 256,
        temperature: 0.2,
        topP: 0.9,
        topK: 3,
        stopSequences: ['END'],
        seed: 1,
        presencePenalty: 0.5,
        frequencyPenalty: 0.4,
        responseFormat: { type: 'json_schema', name: 'w', schema: { type: 'object', properties: { t: { type: ['number', 'null'] } }, additionalProperties: false } },
        reasoning: { enabled: true, effort: 'high', visible: true },
        user: 'u-42',
      }),
      target,
    );
    expect(encoded.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Weather?' }, { inlineData: { mimeType: 'image/png', data: 'iVBO' } }] }],
      systemInstruction: { parts: [{ text: 'Be terse.' }, { text: 'Late rule.' }] },
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Current weather',
              parametersJsonSchema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false },
            },
            { name: 'noop' },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
      generationConfig: {
        temperature: 0.2,
        topP: 0.9,
        topK: 3,
        maxOutputTokens: 256,
        stopSequences: ['END'],
        seed: 1,
        presencePenalty: 0.5,
        frequencyPenalty: 0.4,
        responseMimeType: 'application/json',
        responseSchema: { type: 'OBJECT', properties: { t: { type: 'NUMBER', nullable: true } } },
        thinkingConfig: { thinkingBudget: 16384, includeThoughts: true },
      },
    });
  });

  it('maps tool choice modes and reasoning budgets', () => {
    const tools = [{ name: 'a', parameters: { type: 'object' } }];
    const config = (request: Parameters<typeof irRequest>[0]) => encodeGeminiRequest(irRequest(request), target).body;
    expect(config({ tools, toolChoice: { type: 'auto' } })).toMatchObject({ toolConfig: { functionCallingConfig: { mode: 'AUTO' } } });
    expect(config({ tools, toolChoice: { type: 'none' } })).toMatchObject({ toolConfig: { functionCallingConfig: { mode: 'NONE' } } });
    expect(config({ tools, toolChoice: { type: 'required' } })).toMatchObject({ toolConfig: { functionCallingConfig: { mode: 'ANY' } } });
    expect(config({ toolChoice: { type: 'required' } })).not.toHaveProperty('toolConfig');
    expect(config({ reasoning: { enabled: false } })).toMatchObject({ generationConfig: { thinkingConfig: { thinkingBudget: 0 } } });
    expect(config({ reasoning: { enabled: true, budgetTokens: 5000 } })).toMatchObject({ generationConfig: { thinkingConfig: { thinkingBudget: 5000 } } });
    expect(config({ reasoning: { enabled: true, effort: 'max' } })).toMatchObject({ generationConfig: { thinkingConfig: { thinkingBudget: -1 } } });
    expect(config({ responseFormat: { type: 'json_object' } })).toMatchObject({ generationConfig: { responseMimeType: 'application/json' } });
  });

  it('merges tool results followed by user text into one user turn, responses first; media URLs get a MIME type', () => {
    const messages: IrMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      { role: 'assistant', content: [{ type: 'tool_call', id: 'c1', name: 'shot', arguments: '{}' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'here' },
          { type: 'tool_result', toolCallId: 'c1', content: [{ type: 'image', source: { kind: 'url', url: 'https://x.test/p.png' } }] },
        ],
      },
      { role: 'user', content: [{ type: 'file', source: { kind: 'url', url: 'https://x.test/doc.pdf' } }] },
    ];
    const body = encodeGeminiRequest(irRequest({ messages }), target).body;
    expect(body).toMatchObject({
      contents: [
        {},
        {},
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'shot', response: { output: '' } } },
            { text: 'here' },
            { fileData: { mimeType: 'image/png', fileUri: 'https://x.test/p.png' } },
            { fileData: { mimeType: 'application/pdf', fileUri: 'https://x.test/doc.pdf' } },
          ],
        },
      ],
    });
  });

  it('refuses a prefill, an empty conversation, too many stop sequences and orphan results', () => {
    const prefill = errorOf(() =>
      encodeGeminiRequest(irRequest({ messages: [...irRequest().messages, { role: 'assistant', content: [{ type: 'text', text: '{' }] }] }), target),
    );
    expect([prefill.kind, prefill.status]).toEqual(['unsupported_feature', 400]);
    expect(errorOf(() => encodeGeminiRequest(irRequest({ messages: [] }), target)).kind).toBe('invalid_request');
    expect(errorOf(() => encodeGeminiRequest(irRequest({ stopSequences: ['1', '2', '3', '4', '5', '6'] }), target)).kind).toBe('unsupported_feature');
    const orphan = irRequest({ messages: [{ role: 'user', content: [{ type: 'tool_result', toolCallId: 'nope', content: [] }] }] });
    expect(errorOf(() => encodeGeminiRequest(orphan, target)).kind).toBe('invalid_request');
  });
});

describe('rewriteGeminiPassthrough', () => {
  it('sets the model in the path and leaves the body alone', () => {
    const body = { contents: [{ role: 'user', parts: [{ text: 'x' }] }], generationConfig: { temperature: 1 } };
    const rewritten = rewriteGeminiPassthrough(body, { model: 'gemini-upstream', stream: true });
    expect(rewritten).toEqual({ path: '/v1beta/models/gemini-upstream:streamGenerateContent?alt=sse', body });
  });
});
