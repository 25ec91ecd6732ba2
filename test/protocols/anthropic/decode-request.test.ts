import { describe, expect, it } from 'vitest';
import { decodeAnthropicRequest, peekAnthropicRequest } from '../../../src/protocols/anthropic/decode-request';
import { thrown } from './helpers';

const generate = { endpoint: 'generate' as const };

/** Shaped like what Claude Code 2.x sends, trimmed. */
const claudeCodeBody = {
  model: 'claude-opus-4-8',
  max_tokens: 32000,
  stream: true,
  thinking: { type: 'adaptive', display: 'omitted' },
  output_config: { effort: 'high' },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  metadata: { user_id: '{"device_id":"abc","session_id":"s1"}' },
  system: [
    { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.331' },
    { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
    { type: 'text', text: 'Env: linux', cache_control: { type: 'ephemeral', ttl: '1h' } },
  ],
  messages: [
    { role: 'system', content: 'Reminder: be brief.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: '<system-reminder>ctx</system-reminder>' },
        { type: 'text', text: 'List files', cache_control: { type: 'ephemeral' } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: '', signature: 'EsECsig' },
        { type: 'redacted_thinking', data: 'EmwKredacted' },
        { type: 'tool_use', id: 'toolu_01', name: 'Bash', input: { command: 'ls' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_01', content: 'a.txt', cache_control: { type: 'ephemeral' } },
        {
          type: 'tool_result',
          tool_use_id: 'toolu_02',
          is_error: true,
          content: [
            { type: 'text', text: 'failed' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' } },
          ],
        },
      ],
    },
  ],
  tools: [
    {
      name: 'Bash',
      description: 'Run a command',
      input_schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { command: { type: 'string' } }, required: ['command'], additionalProperties: false },
      strict: true,
      cache_control: { type: 'ephemeral' },
      eager_input_streaming: true,
    },
    { name: 'DeferredToolPlaceholder', input_schema: { type: 'object' }, defer_loading: true },
  ],
  tool_choice: { type: 'auto', disable_parallel_tool_use: true },
};

describe('decodeAnthropicRequest', () => {
  it('accepts everything Claude Code sends', () => {
    const ir = decodeAnthropicRequest(claudeCodeBody, generate);
    expect(ir.model).toBe('claude-opus-4-8');
    expect(ir.stream).toBe(true);
    expect(ir.maxOutputTokens).toBe(32000);
    expect(ir.user).toBe('{"device_id":"abc","session_id":"s1"}');
    expect(ir.reasoning).toEqual({ enabled: true, effort: 'high', visible: false });
    expect(ir.toolChoice).toEqual({ type: 'auto' });
    expect(ir.parallelToolCalls).toBe(false);
    expect(ir.system).toEqual([
      { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.331' },
      { type: 'text', text: 'You are Claude Code.', cache: {} },
      { type: 'text', text: 'Env: linux', cache: { ttl: '1h' } },
    ]);
    expect(ir.messages[0]).toEqual({ role: 'system', content: [{ type: 'text', text: 'Reminder: be brief.' }] });
    expect(ir.messages[1]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: '<system-reminder>ctx</system-reminder>' },
        { type: 'text', text: 'List files', cache: {} },
      ],
    });
    expect(ir.messages[2]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', text: '', signature: { origin: 'anthropic', value: 'EsECsig' } },
        { type: 'redacted_thinking', data: 'EmwKredacted' },
        { type: 'tool_call', id: 'toolu_01', name: 'Bash', arguments: '{"command":"ls"}' },
      ],
    });
    expect(ir.messages[3]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', toolCallId: 'toolu_01', content: [{ type: 'text', text: 'a.txt' }], cache: {} },
        {
          type: 'tool_result',
          toolCallId: 'toolu_02',
          isError: true,
          content: [
            { type: 'text', text: 'failed' },
            { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBO' } },
          ],
        },
      ],
    });
    expect(ir.tools).toEqual([
      {
        name: 'Bash',
        description: 'Run a command',
        parameters: claudeCodeBody.tools[0]?.input_schema,
        strict: true,
        cache: {},
      },
      { name: 'DeferredToolPlaceholder', parameters: { type: 'object' } },
    ]);
  });

  it('maps the thinking variants', () => {
    const base = { model: 'm', max_tokens: 20000, messages: [{ role: 'user', content: 'hi' }] };
    expect(decodeAnthropicRequest({ ...base, thinking: { type: 'enabled', budget_tokens: 10000 } }, generate).reasoning).toEqual({
      enabled: true,
      budgetTokens: 10000,
      effort: 'high',
      visible: true,
    });
    expect(
      decodeAnthropicRequest({ ...base, thinking: { type: 'enabled', budget_tokens: 2048 }, output_config: { effort: 'max' } }, generate).reasoning,
    ).toEqual({ enabled: true, budgetTokens: 2048, effort: 'max', visible: true });
    expect(decodeAnthropicRequest({ ...base, thinking: { type: 'adaptive', display: 'summarized' } }, generate).reasoning).toEqual({
      enabled: true,
      visible: true,
    });
    expect(decodeAnthropicRequest({ ...base, thinking: { type: 'disabled' }, output_config: { effort: 'low' } }, generate).reasoning).toEqual({
      enabled: false,
    });
    expect(decodeAnthropicRequest({ ...base, output_config: { effort: 'medium' } }, generate).reasoning).toEqual({ enabled: true, effort: 'medium' });
    expect(decodeAnthropicRequest(base, generate).reasoning).toBeUndefined();
  });

  it('maps tool_choice, structured output, sampling and stop sequences', () => {
    const base = { model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
    expect(decodeAnthropicRequest({ ...base, tool_choice: { type: 'any' } }, generate).toolChoice).toEqual({ type: 'required' });
    const forced = decodeAnthropicRequest({ ...base, tool_choice: { type: 'tool', name: 'x', disable_parallel_tool_use: false } }, generate);
    expect(forced.toolChoice).toEqual({ type: 'tool', name: 'x' });
    expect(forced.parallelToolCalls).toBe(true);
    expect(decodeAnthropicRequest({ ...base, tool_choice: { type: 'none' } }, generate).toolChoice).toEqual({ type: 'none' });
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const ir = decodeAnthropicRequest(
      { ...base, output_config: { format: { type: 'json_schema', schema } }, temperature: 0.3, top_p: 0.9, top_k: 5, stop_sequences: ['END'] },
      generate,
    );
    expect(ir.responseFormat).toEqual({ type: 'json_schema', schema });
    expect([ir.temperature, ir.topP, ir.topK, ir.stopSequences]).toEqual([0.3, 0.9, 5, ['END']]);
    expect(ir.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
  });

  it('reads images by URL and documents (PDF, URL, plain text with context)', () => {
    const ir = decodeAnthropicRequest(
      {
        model: 'm',
        max_tokens: 10,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
              { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' }, title: 'spec.pdf' },
              { type: 'document', source: { type: 'url', url: 'https://example.com/b.pdf' } },
              { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'héllo' }, context: 'A note' },
            ],
          },
        ],
      },
      generate,
    );
    expect(ir.messages[0]?.content).toEqual([
      { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' } },
      { type: 'file', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBER' }, filename: 'spec.pdf' },
      { type: 'file', source: { kind: 'url', url: 'https://example.com/b.pdf', mediaType: 'application/pdf' } },
      { type: 'text', text: 'A note' },
      { type: 'file', source: { kind: 'base64', mediaType: 'text/plain', data: 'aMOpbGxv' } },
    ]);
  });

  it('requires max_tokens for messages but not for count_tokens', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    const error = thrown(() => decodeAnthropicRequest(body, generate));
    expect([error.kind, error.status, error.message]).toEqual(['invalid_request', 400, 'max_tokens: Required']);
    const ir = decodeAnthropicRequest({ ...body, stream: true }, { endpoint: 'count_tokens' });
    expect(ir.maxOutputTokens).toBeUndefined();
    expect(ir.stream).toBe(false);
  });

  it('names the failing field in validation errors', () => {
    expect(thrown(() => decodeAnthropicRequest({ model: 'm', max_tokens: 1 }, generate)).message).toBe('messages: Required');
    expect(thrown(() => decodeAnthropicRequest({ model: '', max_tokens: 1, messages: [] }, generate)).message).toMatch(/^model: /);
    expect(thrown(() => decodeAnthropicRequest('nope', generate)).kind).toBe('invalid_request');
    const badBlock = thrown(() =>
      decodeAnthropicRequest({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: [{ type: 'text' }] }] }, generate),
    );
    expect(badBlock.message).toBe('messages[0].content[0].text: Required');
    const badRole = thrown(() => decodeAnthropicRequest({ model: 'm', max_tokens: 1, messages: [{ role: 'tool', content: 'x' }] }, generate));
    expect(badRole.message).toMatch(/^messages\[0\]\.role: /);
    const misplaced = thrown(() =>
      decodeAnthropicRequest(
        { model: 'm', max_tokens: 1, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'b', input: {} }] }] },
        generate,
      ),
    );
    expect([misplaced.kind, misplaced.message]).toEqual(['invalid_request', "messages[0].content[0]: 'tool_use' blocks belong in assistant messages"]);
    const badThinking = thrown(() => decodeAnthropicRequest({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }], thinking: { type: 'enabled' } }, generate));
    expect(badThinking.message).toBe('thinking.budget_tokens: Required');
  });

  it('refuses what the IR cannot carry with unsupported_feature', () => {
    const base = { model: 'm', max_tokens: 1 };
    const serverTool = thrown(() =>
      decodeAnthropicRequest({ ...base, messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }] }, generate),
    );
    expect([serverTool.kind, serverTool.status]).toEqual(['unsupported_feature', 400]);
    expect(serverTool.message).toContain('web_search_20250305');
    const clientTool = thrown(() => decodeAnthropicRequest({ ...base, messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'bash_20250124', name: 'bash' }] }, generate));
    expect(clientTool.kind).toBe('unsupported_feature');
    const serverBlock = thrown(() =>
      decodeAnthropicRequest(
        { ...base, messages: [{ role: 'assistant', content: [{ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} }] }] },
        generate,
      ),
    );
    expect(serverBlock.kind).toBe('unsupported_feature');
    const fileImage = thrown(() =>
      decodeAnthropicRequest(
        { ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'file_1' } }] }] },
        generate,
      ),
    );
    expect(fileImage.kind).toBe('unsupported_feature');
    const mcp = thrown(() => decodeAnthropicRequest({ ...base, messages: [{ role: 'user', content: 'hi' }], mcp_servers: [{ type: 'url', url: 'https://x', name: 'x' }] }, generate));
    expect(mcp.kind).toBe('unsupported_feature');
  });

  it('ignores harmless unknown fields', () => {
    const ir = decodeAnthropicRequest(
      { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], service_tier: 'auto', inference_geo: 'us', container: 'c_1', cache_control: { type: 'ephemeral' }, speed: 'fast' },
      generate,
    );
    expect(ir).toEqual({ model: 'm', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false, maxOutputTokens: 5 });
  });
});

describe('peekAnthropicRequest', () => {
  it('reads model and stream, and validates the model', () => {
    expect(peekAnthropicRequest({ model: 'm', stream: true, anything: 1 }, generate)).toEqual({ model: 'm', stream: true });
    expect(peekAnthropicRequest({ model: 'm', stream: true }, { endpoint: 'count_tokens' })).toEqual({ model: 'm', stream: false });
    expect(thrown(() => peekAnthropicRequest({ model: '' }, generate)).kind).toBe('invalid_request');
    expect(thrown(() => peekAnthropicRequest({}, generate)).message).toBe('model: Required');
  });
});
