import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import type { IrMessage } from '../../../src/ir/request';
import { decodeOpenAIChatRequest } from '../../../src/protocols/openai-chat/decode-request';
import { encodeOpenAIChatRequest, rewriteOpenAIChatPassthrough } from '../../../src/protocols/openai-chat/encode-request';
import { baseRequest } from './helpers';

const E1 = {
  model: 'm1',
  messages: [
    { role: 'system', content: 'Be terse.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Weather in Paris?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      ],
    },
  ],
  tools: [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Current weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    },
  ],
  tool_choice: 'required',
  parallel_tool_calls: false,
  max_completion_tokens: 256,
  temperature: 0.2,
  stop: ['END'],
  stream: true,
  stream_options: { include_usage: true },
  safety_identifier: 'u-42',
};

const E2_MESSAGES = [
  { role: 'user', content: 'Compare Paris and Rome.' },
  {
    role: 'assistant',
    content: '',
    tool_calls: [
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
    ],
  },
  { role: 'tool', tool_call_id: 'call_a', content: '18C' },
  { role: 'tool', tool_call_id: 'call_b', content: '24C' },
];

const encodeMessages = (messages: IrMessage[]) =>
  (encodeOpenAIChatRequest(baseRequest({ messages }), { model: 'up', stream: false }).body as { messages: unknown[] }).messages;

describe('encodeOpenAIChatRequest', () => {
  it('E1 decoded and re-encoded is the same Chat request (path /chat/completions)', () => {
    const encoded = encodeOpenAIChatRequest(decodeOpenAIChatRequest(E1, {}), { model: 'm1', stream: true });
    expect(encoded.path).toBe('/chat/completions');
    expect(encoded.body).toEqual(E1);
  });

  it('E2: one tool message per result, assistant content null with tool calls', () => {
    const encoded = encodeOpenAIChatRequest(decodeOpenAIChatRequest({ model: 'm1', messages: E2_MESSAGES }, {}), { model: 'up', stream: false });
    expect(encoded.body).toEqual({
      model: 'up',
      messages: [
        { role: 'user', content: 'Compare Paris and Rome.' },
        { ...E2_MESSAGES[1], content: null },
        E2_MESSAGES[2],
        E2_MESSAGES[3],
      ],
      stream: false,
    });
  });

  it('sends images from tool results in one user message after the tool messages, then other user content', () => {
    expect(
      encodeMessages([
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              toolCallId: 'toolu_1',
              content: [
                { type: 'text', text: 'screenshot' },
                { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' } },
              ],
            },
            { type: 'tool_result', toolCallId: 'toolu_2', content: [{ type: 'text', text: 'failed' }], isError: true },
            { type: 'text', text: 'Go on.' },
          ],
        },
      ]),
    ).toEqual([
      { role: 'tool', tool_call_id: 'toolu_1', content: 'screenshot' },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: failed' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Images returned by tool call toolu_1:' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          { type: 'text', text: 'Go on.' },
        ],
      },
    ]);
  });

  it('keeps IR system messages in place, joins system blocks, drops signed thinking and thinking-only turns', () => {
    const encoded = encodeOpenAIChatRequest(
      baseRequest({
        system: [
          { type: 'text', text: 'One.' },
          { type: 'text', text: 'Two.', cache: { ttl: '1h' } },
        ],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'hi' }] },
          { role: 'assistant', content: [{ type: 'thinking', text: 'hmm', signature: { origin: 'anthropic', value: 'sig' } }] },
          { role: 'system', content: [{ type: 'text', text: 'Mid rule.' }] },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', text: 'plan' },
              { type: 'redacted_thinking', data: 'xx' },
              { type: 'text', text: 'Done.' },
              { type: 'tool_call', id: 'c1', name: 'noop', arguments: '' },
            ],
          },
        ],
      }),
      { model: 'up', stream: false },
    );
    expect((encoded.body as { messages: unknown }).messages).toEqual([
      { role: 'system', content: 'One.\n\nTwo.' },
      { role: 'user', content: 'hi' },
      { role: 'system', content: 'Mid rule.' },
      {
        role: 'assistant',
        content: 'Done.',
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'noop', arguments: '{}' } }],
        reasoning_content: 'plan',
      },
    ]);
  });

  it('shortens tool-call ids over 40 characters the same way on call and result', () => {
    const longId = 'functions.Bash:0-with-a-very-long-suffix-beyond-forty';
    const [, assistant, tool] = encodeMessages([
      { role: 'user', content: [{ type: 'text', text: 'x' }] },
      { role: 'assistant', content: [{ type: 'tool_call', id: longId, name: 'Bash', arguments: '{}' }] },
      { role: 'user', content: [{ type: 'tool_result', toolCallId: longId, content: [] }] },
    ]) as Array<Record<string, unknown>>;
    const callId = (assistant?.tool_calls as Array<{ id: string }>)[0]?.id;
    expect(callId?.length).toBeLessThanOrEqual(40);
    expect(tool?.tool_call_id).toBe(callId);
    expect(tool?.content).toBe('');
  });

  it('sends files inline and refuses file URLs', () => {
    expect(
      encodeMessages([{ role: 'user', content: [{ type: 'file', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBE' } }] }]),
    ).toEqual([{ role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,JVBE', filename: 'document.pdf' } }] }]);
    expect(() =>
      encodeMessages([{ role: 'user', content: [{ type: 'file', source: { kind: 'url', url: 'https://x.test/a.pdf' } }] }]),
    ).toThrow(RelayError);
  });

  it('maps reasoning, response format, sampling, user; drops top_k and metadata; refuses more than 4 stops', () => {
    const body = (overrides: Parameters<typeof baseRequest>[0]) =>
      encodeOpenAIChatRequest(baseRequest(overrides), { model: 'up', stream: false }).body as Record<string, unknown>;
    expect(body({ reasoning: { enabled: true, budgetTokens: 20000 } }).reasoning_effort).toBe('high');
    expect(body({ reasoning: { enabled: true, effort: 'none' } }).reasoning_effort).toBe('none');
    expect(body({ reasoning: { enabled: false } })).not.toHaveProperty('reasoning_effort');
    expect(body({ responseFormat: { type: 'json_schema', schema: { type: 'object' } } }).response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'response', schema: { type: 'object' } },
    });
    const full = body({ topK: 5, topP: 0.5, seed: 1, presencePenalty: 0.1, frequencyPenalty: 0.2, metadata: { a: 'b' }, user: 'x'.repeat(200) });
    expect(full).toMatchObject({ top_p: 0.5, seed: 1, presence_penalty: 0.1, frequency_penalty: 0.2 });
    expect(full).not.toHaveProperty('top_k');
    expect(full).not.toHaveProperty('metadata');
    expect(full.safety_identifier).toBe('x'.repeat(128));
    expect(full).not.toHaveProperty('stream_options');
    expect(body({ parallelToolCalls: true })).not.toHaveProperty('parallel_tool_calls');
    expect(body({ toolChoice: { type: 'tool', name: 'f' } }).tool_choice).toEqual({ type: 'function', function: { name: 'f' } });
    expect(() => body({ stopSequences: ['a', 'b', 'c', 'd', 'e'] })).toThrow(/at most 4/);
  });

  it('asks for include_usage whenever it streams', () => {
    const encoded = encodeOpenAIChatRequest(baseRequest({ streamUsage: false }), { model: 'up', stream: true });
    expect(encoded.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });
});

describe('rewriteOpenAIChatPassthrough', () => {
  it('changes only the model, plus include_usage when streaming', () => {
    const body = { model: 'public', messages: [], stream: true, stream_options: { include_obfuscation: false }, foo: 1 };
    expect(rewriteOpenAIChatPassthrough(body, { model: 'upstream', stream: true })).toEqual({
      path: '/chat/completions',
      body: { model: 'upstream', messages: [], stream: true, stream_options: { include_obfuscation: false, include_usage: true }, foo: 1 },
    });
    expect(body.model).toBe('public');
    expect(rewriteOpenAIChatPassthrough({ model: 'p', messages: [] }, { model: 'u', stream: false }).body).toEqual({ model: 'u', messages: [] });
  });
});
