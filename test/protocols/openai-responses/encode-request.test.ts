import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import type { IrRequest } from '../../../src/ir/request';
import { openaiResponsesCodec } from '../../../src/protocols/openai-responses';
import { encodeResponsesCountTokens, encodeResponsesRequest } from '../../../src/protocols/openai-responses/encode-request';
import { baseRequest } from './helpers';

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value)) : {};

const target = { model: 'gpt-upstream', stream: true };
const encode = (request: IrRequest) => encodeResponsesRequest(request, target);

/** A Chat Completions request with system, image, tool, forced tool, stop and limits, as the Chat decoder hands it over (IR). */
const e1: IrRequest = baseRequest({
  model: 'm1',
  system: [{ type: 'text', text: 'Be terse.' }],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Weather in Paris?' },
        { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
      ],
    },
  ],
  tools: [
    {
      name: 'get_weather',
      description: 'Current weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  ],
  toolChoice: { type: 'required' },
  parallelToolCalls: false,
  maxOutputTokens: 256,
  temperature: 0.2,
  user: 'u-42',
  streamUsage: true,
});

describe('encodeResponsesRequest', () => {
  it('encodes E1 (A → B): instructions, input_image data URI, flat strict:false tool, required, limits', () => {
    expect(encode(e1)).toEqual({
      path: '/responses',
      body: {
        model: 'gpt-upstream',
        instructions: 'Be terse.',
        input: [
          {
            type: 'message',
            role: 'user',
            content: [
              { type: 'input_text', text: 'Weather in Paris?' },
              { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
            ],
          },
        ],
        tools: [
          {
            type: 'function',
            name: 'get_weather',
            description: 'Current weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            strict: false,
          },
        ],
        tool_choice: 'required',
        parallel_tool_calls: false,
        max_output_tokens: 256,
        temperature: 0.2,
        stream: true,
        safety_identifier: 'u-42',
      },
    });
  });

  it('refuses E1 with its stop sequence: Responses has no stop field', () => {
    expect(() => encode({ ...e1, stopSequences: ['END'] })).toThrow(RelayError);
    expect(() => encode({ ...e1, stopSequences: ['END'] })).toThrow('stop sequences cannot be sent to an openai-responses upstream');
  });

  it('encodes E2 history: parallel calls as function_call items, results as function_call_output items', () => {
    const body = encode(
      baseRequest({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Compare Paris and Rome.' }] },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: '' },
              { type: 'tool_call', id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
              { type: 'tool_call', id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', toolCallId: 'call_a', content: [{ type: 'text', text: '18C' }] },
              { type: 'tool_result', toolCallId: 'call_b', content: [{ type: 'text', text: '24C' }] },
            ],
          },
        ],
      }),
    ).body;
    expect(body).toMatchObject({
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Compare Paris and Rome.' }] },
        { type: 'function_call', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', call_id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'call_a', output: '18C' },
        { type: 'function_call_output', call_id: 'call_b', output: '24C' },
      ],
    });
  });

  it('replays only Responses-minted reasoning; drops foreign, unsigned and redacted thinking', () => {
    const { body } = encode(
      baseRequest({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'q' }] },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', text: 'mine', signature: { origin: 'openai-responses', value: 'ENC', itemId: 'rs_1' } },
              { type: 'thinking', text: 'theirs', signature: { origin: 'anthropic', value: 'SIG' } },
              { type: 'thinking', text: 'unsigned' },
              { type: 'redacted_thinking', data: 'opaque' },
              { type: 'text', text: 'answer' },
              { type: 'tool_call', id: 'c1', name: 'ls', arguments: '' },
            ],
          },
          { role: 'user', content: [{ type: 'tool_result', toolCallId: 'c1', content: [], isError: true }] },
        ],
      }),
    );
    expect(body).toMatchObject({
      input: [
        { type: 'message', role: 'user' },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'mine' }], encrypted_content: 'ENC' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'answer', annotations: [] }] },
        { type: 'function_call', call_id: 'c1', name: 'ls', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'Error: ' },
      ],
    });
  });

  it('asks for encrypted reasoning with store:false when reasoning is requested, summary auto when visible', () => {
    const visible = encode(baseRequest({ reasoning: { enabled: true, effort: 'medium', visible: true } })).body;
    expect(visible).toMatchObject({
      reasoning: { effort: 'medium', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      store: false,
    });
    const budget = encode(baseRequest({ reasoning: { enabled: true, budgetTokens: 20000, summary: 'detailed', visible: true } })).body;
    expect(budget).toMatchObject({ reasoning: { effort: 'high', summary: 'detailed' } });
    const off = encode(baseRequest({ reasoning: { enabled: false } })).body;
    expect(off).toMatchObject({ reasoning: { effort: 'none' } });
    expect(off).not.toHaveProperty('include');
    expect(off).not.toHaveProperty('store');
    expect(encode(baseRequest()).body).not.toHaveProperty('reasoning');
  });

  it('puts mid-conversation system messages in place as developer items, files as input_file', () => {
    const { body } = encode(
      baseRequest({
        system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }],
        messages: [
          { role: 'user', content: [{ type: 'file', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBER' } }] },
          { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
          { role: 'system', content: [{ type: 'text', text: 'Now in French.' }] },
          {
            role: 'user',
            content: [
              { type: 'file', source: { kind: 'url', url: 'https://example.com/a.pdf' }, filename: 'a.pdf' },
              { type: 'image', source: { kind: 'url', url: 'https://example.com/x.png' }, detail: 'low' },
            ],
          },
        ],
        responseFormat: { type: 'json_schema', schema: { type: 'object' }, strict: true },
        topP: 0.5,
        topK: 40,
        seed: 7,
        metadata: { k: 'v' },
      }),
    );
    expect(body).toMatchObject({
      instructions: 'A\n\nB',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_file', file_data: 'data:application/pdf;base64,JVBER', filename: 'document.pdf' }] },
        { type: 'message', role: 'assistant' },
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Now in French.' }] },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_file', file_url: 'https://example.com/a.pdf', filename: 'a.pdf' },
            { type: 'input_image', image_url: 'https://example.com/x.png', detail: 'low' },
          ],
        },
      ],
      text: { format: { type: 'json_schema', name: 'response', schema: { type: 'object' }, strict: true } },
      top_p: 0.5,
      metadata: { k: 'v' },
    });
    expect(body).not.toHaveProperty('top_k');
    expect(body).not.toHaveProperty('seed');
  });

  it('sends image tool results as parts and fits over-long call ids the same way on call and result', () => {
    const longId = `call_${'x'.repeat(80)}`;
    const { body } = encode(
      baseRequest({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'look' }] },
          { role: 'assistant', content: [{ type: 'tool_call', id: longId, name: 'shot', arguments: '{}' }] },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                toolCallId: longId,
                content: [
                  { type: 'text', text: 'here' },
                  { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAA' } },
                ],
              },
            ],
          },
        ],
      }),
    );
    const input: unknown[] = body && typeof body === 'object' && 'input' in body && Array.isArray(body.input) ? body.input : [];
    const call = record(input[1]);
    const result = record(input[2]);
    expect(call.call_id).toHaveLength(64);
    expect(result.call_id).toBe(call.call_id);
    expect(result.output).toEqual([
      { type: 'input_text', text: 'here' },
      { type: 'input_image', image_url: 'data:image/png;base64,AAA', detail: 'auto' },
    ]);
  });

  it('refuses a trailing assistant turn (no prefill in Responses)', () => {
    expect(() =>
      encode(baseRequest({ messages: [{ role: 'user', content: [{ type: 'text', text: 'q' }] }, { role: 'assistant', content: [{ type: 'text', text: 'Sure,' }] }] })),
    ).toThrow('an openai-responses upstream cannot continue a prefilled assistant turn');
  });
});

describe('token counting and passthrough', () => {
  it('counts tokens at /responses/input_tokens with the prompt-shaping fields only', () => {
    const encoded = encodeResponsesCountTokens({ ...e1, stopSequences: ['END'], reasoning: { enabled: true, effort: 'low' } }, target);
    expect(encoded.path).toBe('/responses/input_tokens');
    expect(Object.keys(encoded.body ?? {}).sort()).toEqual(['input', 'instructions', 'model', 'parallel_tool_calls', 'reasoning', 'tool_choice', 'tools']);
    expect(openaiResponsesCodec.decodeCountTokens?.({ object: 'response.input_tokens', input_tokens: 42 })).toBe(42);
    expect(() => openaiResponsesCodec.decodeCountTokens?.({})).toThrow(RelayError);
    expect(openaiResponsesCodec.encodeTokenCount?.(7)).toEqual({ object: 'response.input_tokens', input_tokens: 7 });
  });

  it('rewrites only the model on passthrough and authenticates with a bearer key', () => {
    const body = { model: 'public', input: [{ type: 'item_reference', id: 'x' }], previous_response_id: 'resp_1', tools: [{ type: 'web_search' }] };
    expect(openaiResponsesCodec.rewritePassthrough(body, target)).toEqual({ path: '/responses', body: { ...body, model: 'gpt-upstream' } });
    expect(openaiResponsesCodec.authHeaders('sk-1')).toEqual({ authorization: 'Bearer sk-1' });
  });
});
