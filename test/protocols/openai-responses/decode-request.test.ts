import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import { decodeResponsesRequest, peekResponsesRequest } from '../../../src/protocols/openai-responses/decode-request';
import { wrapSignature } from '../../../src/protocols/signature';

const decode = (body: unknown) => decodeResponsesRequest(body, {});

const failure = (body: unknown): RelayError => {
  try {
    decode(body);
  } catch (error) {
    if (error instanceof RelayError) return error;
    throw error;
  }
  throw new Error('expected a RelayError');
};

const fn = (name: string, parameters: Record<string, unknown> = { type: 'object', properties: {} }) => ({
  type: 'function',
  name,
  description: `${name} tool`,
  parameters,
  strict: false,
});

/** The shape Codex CLI 0.169 sends, trimmed. */
const codexBody = {
  model: 'gpt-5-codex',
  instructions: null,
  input: [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'List files.' }] },
    { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Plan.' }], content: null, encrypted_content: 'gAAAA-enc' },
    { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'exec_command', arguments: '{"cmd":"ls"}', status: 'completed' },
    { type: 'function_call', id: 'fc_2', call_id: 'call_2', name: 'search', namespace: 'mcp__docs__', arguments: '{"q":"x"}' },
    { type: 'function_call_output', id: 'fco_1', call_id: 'call_1', output: 'a.txt' },
    { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'found' }] },
  ],
  tools: [fn('exec_command'), { type: 'namespace', name: 'mcp__docs__', description: 'Docs server', tools: [fn('search')] }],
  tool_choice: 'auto',
  parallel_tool_calls: true,
  reasoning: { summary: 'auto' },
  store: false,
  stream: true,
  include: ['reasoning.encrypted_content'],
  prompt_cache_key: 'thread-1',
  client_metadata: { session: 's' },
};

describe('decodeResponsesRequest', () => {
  it('decodes a Codex CLI request: developer prompt, reasoning replay, namespaced calls, grouped tool results', () => {
    const request = decode(codexBody);
    expect(request.model).toBe('gpt-5-codex');
    expect(request.stream).toBe(true);
    expect(request.system).toEqual([{ type: 'text', text: 'You are Codex.' }]);
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'List files.' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'Plan.', signature: { origin: 'openai-responses', value: 'gAAAA-enc', itemId: 'rs_1' } },
          { type: 'tool_call', id: 'call_1', name: 'exec_command', arguments: '{"cmd":"ls"}' },
          { type: 'tool_call', id: 'call_2', name: 'mcp__docs__search', arguments: '{"q":"x"}' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolCallId: 'call_1', name: 'exec_command', content: [{ type: 'text', text: 'a.txt' }] },
          { type: 'tool_result', toolCallId: 'call_2', name: 'mcp__docs__search', content: [{ type: 'text', text: 'found' }] },
        ],
      },
    ]);
    expect(request.tools).toEqual([
      { name: 'exec_command', description: 'exec_command tool', parameters: { type: 'object', properties: {} }, strict: false },
      {
        name: 'mcp__docs__search',
        description: 'search tool',
        parameters: { type: 'object', properties: {} },
        strict: false,
        namespace: { name: 'mcp__docs__', member: 'search' },
      },
    ]);
    expect(request.toolChoice).toEqual({ type: 'auto' });
    expect(request.parallelToolCalls).toBe(true);
    expect(request.reasoning).toEqual({ enabled: true, visible: true, summary: 'auto' });
  });

  it('joins a namespace without a trailing "__" with "__"', () => {
    const request = decode({ model: 'm', input: 'x', tools: [{ type: 'namespace', name: 'crm', description: '', tools: [fn('lookup')] }] });
    expect(request.tools?.[0]).toMatchObject({ name: 'crm__lookup', namespace: { name: 'crm', member: 'lookup' } });
  });

  it('reads a string input, instructions, sampling and format fields', () => {
    const request = decode({
      model: 'm',
      instructions: 'Be terse.',
      input: 'Hi',
      max_output_tokens: 256,
      temperature: 0.2,
      top_p: 0.9,
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
      reasoning: { effort: 'high' },
      metadata: { a: 'b' },
      safety_identifier: 'u-42',
      truncation: 'auto',
      service_tier: 'flex',
    });
    expect(request).toEqual({
      model: 'm',
      system: [{ type: 'text', text: 'Be terse.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      maxOutputTokens: 256,
      temperature: 0.2,
      topP: 0.9,
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true },
      reasoning: { enabled: true, effort: 'high' },
      stream: false,
      user: 'u-42',
      metadata: { a: 'b' },
    });
    expect(decode({ model: 'm', input: 'x', reasoning: { effort: 'none' } }).reasoning).toEqual({ enabled: false, effort: 'none' });
    expect(decode({ model: 'm', input: 'x', text: { format: { type: 'json_object' } } }).responseFormat).toEqual({ type: 'json_object' });
  });

  it('keeps a later system/developer item in place and accepts items without `type`', () => {
    const request = decode({
      model: 'm',
      input: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: [{ type: 'output_text', text: 'two' }, { type: 'refusal', refusal: 'no' }] },
        { role: 'system', content: 'Switch to French.' },
        { role: 'user', content: 'three' },
      ],
    });
    expect(request.system).toEqual([]);
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'one' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'two' }, { type: 'text', text: 'no' }] },
      { role: 'system', content: [{ type: 'text', text: 'Switch to French.' }] },
      { role: 'user', content: [{ type: 'text', text: 'three' }] },
    ]);
  });

  it('maps images, files and cache breakpoints', () => {
    const request = decode({
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'See', prompt_cache_breakpoint: { mode: 'explicit', ttl: '12h' } },
            { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'high' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
            { type: 'input_file', file_data: 'data:application/pdf;base64,JVBER', filename: 'a.pdf' },
            { type: 'input_file', file_data: 'SGVsbG8=', filename: 'notes.txt' },
            { type: 'input_file', file_url: 'https://example.com/b.pdf' },
          ],
        },
      ],
    });
    expect(request.messages[0]?.content).toEqual([
      { type: 'text', text: 'See', cache: { ttl: '1h' } },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' }, detail: 'high' },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' }, detail: 'auto' },
      { type: 'file', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBER' }, filename: 'a.pdf' },
      { type: 'file', source: { kind: 'base64', mediaType: 'text/plain', data: 'SGVsbG8=' }, filename: 'notes.txt' },
      { type: 'file', source: { kind: 'url', url: 'https://example.com/b.pdf' } },
    ]);
  });

  it('unwraps relay envelopes in encrypted_content back to the upstream that minted them', () => {
    const envelope = wrapSignature({ origin: 'anthropic', value: 'ant-sig' }, 'openai-responses');
    const request = decode({
      model: 'm',
      input: [
        { role: 'user', content: 'q' },
        { type: 'reasoning', id: 'rs_x', summary: [], encrypted_content: envelope },
        { type: 'reasoning', id: 'rs_y', summary: [], encrypted_content: 'prx1:none' },
        { role: 'assistant', content: 'a' },
      ],
    });
    expect(request.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', text: '', signature: { origin: 'anthropic', value: 'ant-sig' } },
        { type: 'text', text: 'a' },
      ],
    });
  });

  it('decodes tool_choice forms, resolving namespace members and filtering allowed_tools', () => {
    const tools = [fn('read'), fn('write'), { type: 'namespace', name: 'mcp__docs__', description: '', tools: [fn('search')] }];
    expect(decode({ model: 'm', input: 'x', tools, tool_choice: 'required' }).toolChoice).toEqual({ type: 'required' });
    expect(decode({ model: 'm', input: 'x', tools, tool_choice: { type: 'function', name: 'write' } }).toolChoice).toEqual({ type: 'tool', name: 'write' });
    expect(decode({ model: 'm', input: 'x', tools, tool_choice: { type: 'function', name: 'search' } }).toolChoice).toEqual({
      type: 'tool',
      name: 'mcp__docs__search',
    });
    const allowed = decode({
      model: 'm',
      input: 'x',
      tools,
      tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'read' }, { type: 'function', name: 'search' }] },
    });
    expect(allowed.tools?.map((tool) => tool.name)).toEqual(['read', 'mcp__docs__search']);
    expect(allowed.toolChoice).toEqual({ type: 'required' });
  });

  it('names the field in validation errors', () => {
    expect(failure({ input: 'x' })).toMatchObject({ kind: 'invalid_request', status: 400, message: 'model: Required' });
    expect(failure({ model: 'm' }).message).toBe('input: Required');
    expect(failure({ model: 'm', input: [{ type: 'function_call', name: 'x', arguments: '{}' }] }).message).toBe('input[0].call_id: Required');
    expect(failure({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_text' }] }] }).message).toBe('input[0].content[0].text: Required');
    expect(failure({ model: 'm', input: 'x', tools: [fn('a'), fn('a')] }).message).toBe('tools[1]: duplicate tool name "a"');
    expect(failure({ model: 'm', input: 'x', tools: [fn('a')], tool_choice: { type: 'function', name: 'b' } }).message).toBe(
      'tool_choice.name: no tool named "b"',
    );
    expect(failure('not json object').kind).toBe('invalid_request');
  });

  it('refuses what the IR cannot carry with unsupported_feature 400', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ previous_response_id: 'resp_1' }, /^previous_response_id: not a response this relay stored .*only an openai-responses upstream could resolve it$/],
      [{ conversation: 'conv_1' }, /^conversation: stateful/],
      [{ background: true }, /^background: stateful/],
      [{ prompt: { id: 'pmpt_1' } }, /^prompt: /],
      [{ input: [{ type: 'item_reference', id: 'msg_1' }] }, /^input\[0\]: item_reference: not a response this relay stored/],
      [{ input: [{ type: 'mcp_call', id: 'mcp_1', name: 'n', arguments: '{}' }] }, /^input\[0\]: mcp_call items/],
      [{ input: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, /^input\[0\]\.content\[0\]: input_audio parts/],
      [{ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1', detail: 'auto' }] }] }, /file_id: OpenAI file ids/],
      [{ input: [{ type: 'function_call_output', call_id: 'c', output: [{ type: 'input_file', file_data: 'x' }] }] }, /tool outputs/],
      [{ tool_choice: { type: 'web_search_preview' } }, /^tool_choice: web_search_preview/],
      [{ top_logprobs: 3 }, /^top_logprobs: /],
    ];
    for (const [extra, message] of cases) {
      const error = failure({ model: 'm', input: 'x', ...extra });
      expect(error.kind).toBe('unsupported_feature');
      expect(error.status).toBe(400);
      expect(error.message).toMatch(message);
    }
  });
});

describe('hosted tools', () => {
  it('drops OpenAI-hosted tools (Codex offers web_search on every turn) and keeps function tools', () => {
    const request = decode({ model: 'm', input: 'x', tools: [{ type: 'web_search' }, fn('exec_command'), { type: 'namespace', name: 'mcp__d__', description: '', tools: [fn('search'), { type: 'file_search' }] }] });
    expect(request.tools?.map((tool) => tool.name)).toEqual(['exec_command', 'mcp__d__search']);
    expect(decode({ model: 'm', input: 'x', tools: [{ type: 'web_search' }] }).tools).toBeUndefined();
  });
});

describe('client-run tools that are not functions (Codex)', () => {
  it('offers a freeform custom tool as a function of one string `input`, grammar in the description', () => {
    const format = { type: 'grammar', syntax: 'lark', definition: 'start: "x"' };
    const request = decode({ model: 'm', input: 'x', tools: [{ type: 'custom', name: 'apply_patch', description: 'Edit files.', format }] });
    expect(request.tools).toEqual([
      {
        name: 'apply_patch',
        description: 'Edit files.\n\nThe input must match this lark grammar:\nstart: "x"',
        parameters: expect.objectContaining({ required: ['input'], properties: { input: expect.objectContaining({ type: 'string' }) } }),
        declaredAs: { type: 'custom', format },
      },
    ]);
  });

  it('reads custom_tool_call / local_shell_call items as tool calls and their outputs as results', () => {
    const request = decode({
      model: 'm',
      input: [
        { type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch' },
        { type: 'local_shell_call', id: 'lsh_1', call_id: 'c2', status: 'completed', action: { type: 'exec', command: ['ls'], working_directory: '/w' } },
        { type: 'custom_tool_call_output', call_id: 'c1', output: 'Done' },
        { type: 'function_call_output', call_id: 'c2', output: 'a.txt' },
      ],
      tools: [{ type: 'custom', name: 'apply_patch' }, { type: 'local_shell' }],
    });
    expect(request.messages).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'tool_call', id: 'c1', name: 'apply_patch', arguments: '{"input":"*** Begin Patch"}' },
          { type: 'tool_call', id: 'c2', name: 'local_shell', arguments: '{"command":["ls"],"workdir":"/w"}' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolCallId: 'c1', name: 'apply_patch', content: [{ type: 'text', text: 'Done' }] },
          { type: 'tool_result', toolCallId: 'c2', name: 'local_shell', content: [{ type: 'text', text: 'a.txt' }] },
        ],
      },
    ]);
    expect(request.tools?.map((tool) => tool.declaredAs?.type)).toEqual(['custom', 'local_shell']);
  });
});

describe('peekResponsesRequest', () => {
  it('reads model and stream without a full decode, and validates the model', () => {
    expect(peekResponsesRequest({ model: 'gpt-5', stream: true, previous_response_id: 'resp_1', tools: [{ type: 'web_search' }] }, {})).toEqual({
      model: 'gpt-5',
      stream: true,
    });
    expect(peekResponsesRequest({ model: 'gpt-5' }, {})).toEqual({ model: 'gpt-5', stream: false });
    expect(() => peekResponsesRequest({ model: '' }, {})).toThrow(RelayError);
    expect(() => peekResponsesRequest({}, {})).toThrow('model: Required');
  });
});
