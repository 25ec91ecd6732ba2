import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import { decodeOpenAIChatRequest, peekOpenAIChatRequest } from '../../../src/protocols/openai-chat/decode-request';

const decode = (body: unknown) => decodeOpenAIChatRequest(body, {});
const user = (content: unknown) => ({ role: 'user', content });

const errorOf = (body: unknown): RelayError => {
  try {
    decode(body);
  } catch (error) {
    if (error instanceof RelayError) return error;
    throw error;
  }
  throw new Error('expected the decoder to throw');
};

/** E1: system, image, tool, forced tool, stop, limits, user. */
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

/** E2: tool history with parallel results and empty assistant content (messages only). */
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

describe('decodeOpenAIChatRequest', () => {
  it('E1: system, image data URI, tool, forced tool, stop, limits, usage and user', () => {
    expect(decode(E1)).toEqual({
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
      stopSequences: ['END'],
      stream: true,
      streamUsage: true,
      user: 'u-42',
    });
  });

  it('E2: empty assistant content makes no text block; consecutive tool messages share one user message', () => {
    const request = decode({ model: 'm1', messages: E2_MESSAGES });
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Compare Paris and Rome.' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_call', id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool_call', id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolCallId: 'call_a', name: 'get_weather', content: [{ type: 'text', text: '18C' }] },
          { type: 'tool_result', toolCallId: 'call_b', name: 'get_weather', content: [{ type: 'text', text: '24C' }] },
        ],
      },
    ]);
    expect(request.stream).toBe(false);
    expect(request.streamUsage).toBeUndefined();
  });

  it('puts leading system/developer messages in system and later ones in place', () => {
    const request = decode({
      model: 'm',
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] },
        { role: 'system', content: 'C' },
        user('hi'),
        { role: 'system', content: 'Later rule.' },
        { role: 'assistant', content: null, reasoning_content: 'thought', tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 't1', content: [{ type: 'text', text: 'ok' }] },
        user('next'),
      ],
    });
    expect(request.system).toEqual([
      { type: 'text', text: 'A' },
      { type: 'text', text: 'B' },
      { type: 'text', text: 'C' },
    ]);
    expect(request.messages.map((message) => message.role)).toEqual(['user', 'system', 'assistant', 'user', 'user']);
    expect(request.messages[1]).toEqual({ role: 'system', content: [{ type: 'text', text: 'Later rule.' }] });
    expect(request.messages[2]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', text: 'thought' },
        { type: 'tool_call', id: 't1', name: 'f', arguments: '{}' },
      ],
    });
  });

  it('reads user parts: image URL with detail, file data URI, cache breakpoints; drops empty text', () => {
    const request = decode({
      model: 'm',
      messages: [
        user([
          { type: 'text', text: '' },
          { type: 'text', text: 'look', prompt_cache_breakpoint: { mode: 'explicit' } },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
        ]),
      ],
    });
    expect(request.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'look', cache: {} },
        { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' }, detail: 'high' },
        { type: 'file', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' }, filename: 'a.pdf' },
      ],
    });
  });

  it('reads assistant refusal and parts, and legacy function calls and results', () => {
    const request = decode({
      model: 'm',
      functions: [{ name: 'lookup', parameters: { type: 'object', properties: {} } }],
      function_call: { name: 'lookup' },
      messages: [
        user('q'),
        { role: 'assistant', content: [{ type: 'text', text: 'a' }, { type: 'refusal', refusal: 'no' }] },
        { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '{"q":1}' } },
        { role: 'function', name: 'lookup', content: 'found' },
      ],
    });
    expect(request.tools).toEqual([{ name: 'lookup', parameters: { type: 'object', properties: {} } }]);
    expect(request.toolChoice).toEqual({ type: 'tool', name: 'lookup' });
    expect(request.messages.slice(1)).toEqual([
      { role: 'assistant', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'no' }] },
      { role: 'assistant', content: [{ type: 'tool_call', id: 'call_legacy_0', name: 'lookup', arguments: '{"q":1}' }] },
      { role: 'user', content: [{ type: 'tool_result', toolCallId: 'call_legacy_0', name: 'lookup', content: [{ type: 'text', text: 'found' }] }] },
    ]);
  });

  it('maps max_tokens, stop string, reasoning_effort, response_format, user, seed, penalties, metadata', () => {
    const request = decode({
      model: 'm',
      messages: [user('x')],
      max_tokens: 100,
      stop: 'STOP',
      reasoning_effort: 'high',
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      user: 'legacy-user',
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      top_p: 0.9,
      metadata: { team: 'a' },
      stream: false,
      stream_options: { include_usage: true },
    });
    expect(request).toMatchObject({
      maxOutputTokens: 100,
      stopSequences: ['STOP'],
      reasoning: { enabled: true, effort: 'high' },
      responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true },
      user: 'legacy-user',
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      topP: 0.9,
      metadata: { team: 'a' },
    });
    expect(request.streamUsage).toBeUndefined();
    expect(decode({ model: 'm', messages: [user('x')], reasoning_effort: 'none' }).reasoning).toEqual({ enabled: false, effort: 'none' });
    expect(decode({ model: 'm', messages: [user('x')], max_completion_tokens: 5, max_tokens: 9 }).maxOutputTokens).toBe(5);
    expect(decode({ model: 'm', messages: [user('x')], safety_identifier: 's', user: 'u' }).user).toBe('s');
    expect(decode({ model: 'm', messages: [user('x')], response_format: { type: 'json_object' } }).responseFormat).toEqual({ type: 'json_object' });
  });

  it('narrows tools for allowed_tools and maps named tool_choice', () => {
    const fn = (name: string) => ({ type: 'function', function: { name } });
    const request = decode({
      model: 'm',
      messages: [user('x')],
      tools: [fn('a'), fn('b'), fn('c')],
      tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [fn('a'), fn('c')] } },
    });
    expect(request.tools?.map((tool) => tool.name)).toEqual(['a', 'c']);
    expect(request.toolChoice).toEqual({ type: 'required' });
    expect(request.tools?.[0]?.parameters).toEqual({ type: 'object', properties: {} });
    const named = decode({ model: 'm', messages: [user('x')], tools: [fn('a')], tool_choice: { type: 'function', function: { name: 'a' } } });
    expect(named.toolChoice).toEqual({ type: 'tool', name: 'a' });
  });

  it.each([
    [{ messages: [user('x')] }, 'model: Required'],
    [{ model: 'm' }, 'messages: Required'],
    [{ model: '', messages: [user('x')] }, 'model: Too small: expected string to have >=1 characters'],
    [{ model: 'm', messages: [] }, 'messages: Too small: expected array to have >=1 items'],
    [{ model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id: Required'],
    [{ model: 'm', messages: [{ role: 'robot', content: 'x' }] }, "messages[0].role: Invalid discriminator value. Expected 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function'"],
  ])('rejects %j with invalid_request', (body, message) => {
    const error = errorOf(body);
    expect(error.kind).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.message).toBe(message);
  });

  it.each([
    [{ n: 2 }, 'n: only one choice (n=1) can be translated'],
    [{ logprobs: true }, 'logprobs'],
    [{ logit_bias: { '50256': -100 } }, 'logit_bias'],
    [{ audio: { voice: 'alloy', format: 'mp3' } }, 'audio'],
    [{ modalities: ['text', 'audio'] }, 'modalities'],
    [{ prediction: { type: 'content', content: 'x' } }, 'prediction'],
    [{ web_search_options: {} }, 'web_search_options'],
    [{ tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools[0]'],
    [{ messages: [user([{ type: 'input_audio', input_audio: { data: 'AA', format: 'wav' } }])] }, 'messages[0].content[0]'],
    [{ messages: [user([{ type: 'file', file: { file_id: 'file-1' } }])] }, 'messages[0].content[0]'],
  ])('rejects %j with unsupported_feature', (extra, messageStart) => {
    const error = errorOf({ model: 'm', messages: [user('x')], ...extra });
    expect(error.kind).toBe('unsupported_feature');
    expect(error.status).toBe(400);
    expect(error.message.startsWith(messageStart)).toBe(true);
  });

  it('accepts n=1 and ignores operational fields', () => {
    const request = decode({ model: 'm', messages: [user('x')], n: 1, store: true, service_tier: 'auto', verbosity: 'low', prompt_cache_key: 'k' });
    expect(request).toEqual({ model: 'm', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }], stream: false });
  });
});

describe('peekOpenAIChatRequest', () => {
  it('reads model and stream', () => {
    expect(peekOpenAIChatRequest({ model: 'gpt', stream: true, messages: 'not checked' }, {})).toEqual({ model: 'gpt', stream: true });
    expect(peekOpenAIChatRequest({ model: 'gpt' }, {})).toEqual({ model: 'gpt', stream: false });
  });

  it('rejects a missing or empty model', () => {
    expect(() => peekOpenAIChatRequest({}, {})).toThrow('model: Required');
    expect(() => peekOpenAIChatRequest({ model: '' }, {})).toThrow(RelayError);
    expect(() => peekOpenAIChatRequest('nope', {})).toThrow(RelayError);
  });
});
