import { describe, expect, it } from 'vitest';
import type { IrRequest } from '../../../src/ir/request';
import { anthropicCodec } from '../../../src/protocols/anthropic';
import { encodeAnthropicCountTokens, encodeAnthropicRequest } from '../../../src/protocols/anthropic/encode-request';
import { rewriteAnthropicPassthrough } from '../../../src/protocols/anthropic/passthrough';
import { thrown } from './helpers';

const target = { model: 'claude-upstream', stream: false };
const base = (request: Partial<IrRequest>): IrRequest => ({ model: 'public', system: [], messages: [], stream: false, ...request });
const body = (request: Partial<IrRequest>, stream = false): Record<string, unknown> =>
  encodeAnthropicRequest(base(request), { ...target, stream }).body as Record<string, unknown>;

describe('encodeAnthropicRequest — golden requests', () => {
  it('E1: system, image, tool, forced tool, stop, limits, user', () => {
    // The IR an A client's E1 request decodes to.
    const ir = base({
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
    const encoded = encodeAnthropicRequest(ir, { model: 'm1', stream: true });
    expect(encoded.path).toBe('/v1/messages');
    expect(encoded.body).toEqual({
      model: 'm1',
      system: 'Be terse.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in Paris?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
      ],
      tools: [
        {
          name: 'get_weather',
          description: 'Current weather',
          input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      max_tokens: 256,
      temperature: 0.2,
      stop_sequences: ['END'],
      stream: true,
      metadata: { user_id: 'u-42' },
    });
  });

  it('E2: tool history, parallel results in one user turn, empty assistant content dropped', () => {
    const messages = body({
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
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 'call_a', content: [{ type: 'text', text: '18C' }] }] },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 'call_b', content: [{ type: 'text', text: '24C' }] }] },
      ],
    }).messages;
    expect(messages).toEqual([
      { role: 'user', content: 'Compare Paris and Rome.' },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_a', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_b', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_a', content: '18C' },
          { type: 'tool_result', tool_use_id: 'call_b', content: '24C' },
        ],
      },
    ]);
  });
});

describe('encodeAnthropicRequest — conversation rules', () => {
  it('merges every system message into `system` with "\\n\\n", and merges the turns around it', () => {
    const encoded = body({
      system: [{ type: 'text', text: 'Lead.' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'a' }] },
        { role: 'system', content: [{ type: 'text', text: 'Later.' }, { type: 'text', text: '' }] },
        { role: 'user', content: [{ type: 'text', text: 'b' }] },
      ],
    });
    expect(encoded.system).toBe('Lead.\n\nLater.');
    expect(encoded.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }]);
  });

  it('keeps system blocks separate when any carries a cache hint', () => {
    const encoded = body({
      system: [{ type: 'text', text: 'One' }, { type: 'text', text: 'Two', cache: { ttl: '1h' } }],
      messages: [{ role: 'system', content: [{ type: 'text', text: 'Three' }] }],
    });
    expect(encoded.system).toEqual([
      { type: 'text', text: 'One' },
      { type: 'text', text: 'Two', cache_control: { type: 'ephemeral', ttl: '1h' } },
      { type: 'text', text: 'Three' },
    ]);
    expect(encoded.messages).toEqual([]);
  });

  it('puts tool results before text in a user turn and keeps cache hints', () => {
    const encoded = body({
      messages: [
        { role: 'assistant', content: [{ type: 'tool_call', id: 't1', name: 'f', arguments: '' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'also this', cache: {} },
            { type: 'tool_result', toolCallId: 't1', content: [], isError: true, cache: {} },
          ],
        },
      ],
    });
    expect(encoded.messages).toEqual([
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 't1', is_error: true, cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'also this', cache_control: { type: 'ephemeral' } },
        ],
      },
    ]);
  });

  it('sanitizes foreign tool ids the same way on the call and on its result', () => {
    const encoded = body({
      messages: [
        { role: 'assistant', content: [{ type: 'tool_call', id: 'functions.Bash:0', name: 'Bash', arguments: '{}' }] },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 'functions.Bash:0', content: [{ type: 'text', text: 'ok' }] }] },
      ],
    });
    const [call, result] = encoded.messages as Array<{ content: Array<{ id?: string; tool_use_id?: string }> }>;
    const id = call?.content[0]?.id ?? '';
    expect(id).toMatch(/^functions_Bash_0_[0-9a-f]{8}$/);
    expect(result?.content[0]?.tool_use_id).toBe(id);
    expect(body({ messages: [{ role: 'assistant', content: [{ type: 'tool_call', id: 'functions.Bash:0', name: 'Bash', arguments: '{}' }] }] }).messages).toEqual([
      { role: 'assistant', content: [{ type: 'tool_use', id, name: 'Bash', input: {} }] },
    ]);
  });

  it('declares the tools a replayed history uses when the request offers none (tool_choice none)', () => {
    const encoded = body({
      messages: [
        { role: 'assistant', content: [{ type: 'tool_call', id: 't1', name: 'get_weather', arguments: '{}' }] },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 't1', content: [{ type: 'text', text: '18C' }] }] },
      ],
    });
    expect([encoded.tools, encoded.tool_choice]).toEqual([[{ name: 'get_weather', input_schema: { type: 'object' } }], { type: 'none' }]);
    expect(body({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }).tools).toBeUndefined();
  });

  it('sends thinking only with an Anthropic signature, redacted thinking as is', () => {
    const encoded = body({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', text: 'mine', signature: { origin: 'anthropic', value: 'EsEC' } },
            { type: 'thinking', text: 'gemini', signature: { origin: 'gemini', value: 'U0lH', placement: 'fc' } },
            { type: 'thinking', text: 'unsigned' },
            { type: 'redacted_thinking', data: 'EmwK' },
            { type: 'text', text: 'answer' },
          ],
        },
      ],
    });
    expect((encoded.messages as unknown[])[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'mine', signature: 'EsEC' },
        { type: 'redacted_thinking', data: 'EmwK' },
        { type: 'text', text: 'answer' },
      ],
    });
  });

  it('encodes images and documents, refusing what Anthropic cannot take', () => {
    const encoded = body({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' } },
            { type: 'image', source: { kind: 'base64', mediaType: 'image/jpg', data: 'AA' } },
            { type: 'file', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBER' }, filename: 'a.pdf' },
            { type: 'file', source: { kind: 'base64', mediaType: 'text/plain', data: 'aMOpbGxv' } },
            { type: 'file', source: { kind: 'url', url: 'https://example.com/b.pdf' } },
          ],
        },
      ],
    });
    expect((encoded.messages as Array<{ content: unknown }>)[0]?.content).toEqual([
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'AA' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' }, title: 'a.pdf' },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'héllo' } },
      { type: 'document', source: { type: 'url', url: 'https://example.com/b.pdf' } },
    ]);
    const heic = thrown(() => body({ messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/heic', data: 'AA' } }] }] }));
    expect([heic.kind, heic.status]).toEqual(['unsupported_feature', 400]);
    const docx = thrown(() =>
      body({ messages: [{ role: 'user', content: [{ type: 'file', source: { kind: 'base64', mediaType: 'application/msword', data: 'AA' } }] }] }),
    );
    expect(docx.kind).toBe('unsupported_feature');
  });
});

describe('encodeAnthropicRequest — limits, reasoning, tools, format', () => {
  it('defaults max_tokens to 8192 and gives a tool without parameters an object schema', () => {
    const encoded = body({ tools: [{ name: 'ping', parameters: {} }], toolChoice: { type: 'none' } });
    expect(encoded.max_tokens).toBe(8192);
    expect(encoded.tools).toEqual([{ name: 'ping', input_schema: { type: 'object' } }]);
    expect(encoded.tool_choice).toEqual({ type: 'none' });
    expect(body({ toolChoice: { type: 'required' } }).tool_choice).toBeUndefined();
  });

  it('turns a budget into enabled thinking with room in max_tokens', () => {
    expect(body({ reasoning: { enabled: true, budgetTokens: 16384 } })).toMatchObject({
      max_tokens: 20480,
      thinking: { type: 'enabled', budget_tokens: 16384 },
    });
    expect(body({ reasoning: { enabled: true, budgetTokens: 2000, visible: false } })).toMatchObject({
      max_tokens: 8192,
      thinking: { type: 'enabled', budget_tokens: 2000, display: 'omitted' },
    });
    expect(body({ reasoning: { enabled: true, budgetTokens: 512 }, maxOutputTokens: 4000 }).thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(body({ reasoning: { enabled: true, budgetTokens: 9000 }, maxOutputTokens: 4000 })).toMatchObject({
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 3999 },
    });
    expect(body({ reasoning: { enabled: true, budgetTokens: 9000 }, maxOutputTokens: 1000 }).thinking).toBeUndefined();
    expect(body({ reasoning: { enabled: true, budgetTokens: 0 } }).thinking).toBeUndefined();
  });

  it('turns an effort alone into adaptive thinking + output_config.effort', () => {
    expect(body({ reasoning: { enabled: true, effort: 'minimal', visible: true } })).toMatchObject({
      thinking: { type: 'adaptive', display: 'summarized' },
      output_config: { effort: 'low' },
    });
    expect(body({ reasoning: { enabled: true, effort: 'xhigh' } })).toMatchObject({ thinking: { type: 'adaptive' }, output_config: { effort: 'xhigh' } });
    expect(body({ reasoning: { enabled: true } }).thinking).toEqual({ type: 'adaptive' });
    expect(body({ reasoning: { enabled: true, budgetTokens: -1, effort: 'medium' } }).thinking).toEqual({ type: 'adaptive' });
    const off = body({ reasoning: { enabled: true, effort: 'none' } });
    expect([off.thinking, off.output_config]).toEqual([undefined, undefined]);
    expect(body({ reasoning: { enabled: false, effort: 'high' } }).thinking).toBeUndefined();
  });

  it('with thinking on drops temperature/top_k, low top_p, and relaxes a forced tool_choice', () => {
    const tools = [{ name: 'f', parameters: { type: 'object' } }];
    const encoded = body({
      reasoning: { enabled: true, effort: 'high' },
      temperature: 0.2,
      topP: 0.5,
      topK: 3,
      tools,
      toolChoice: { type: 'tool', name: 'f' },
      parallelToolCalls: false,
    });
    expect([encoded.temperature, encoded.top_p, encoded.top_k]).toEqual([undefined, undefined, undefined]);
    expect(encoded.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(body({ reasoning: { enabled: true }, topP: 0.97 }).top_p).toBe(0.97);
    const without = body({ temperature: 0.2, topP: 0.5, topK: 3, tools, toolChoice: { type: 'tool', name: 'f' } });
    expect([without.temperature, without.top_p, without.top_k, without.tool_choice]).toEqual([0.2, 0.5, 3, { type: 'tool', name: 'f' }]);
  });

  it('turns thinking off for a tool-loop step whose assistant turn has no Anthropic thinking', () => {
    const loop = (assistantFirst: IrRequest['messages'][number]['content'][number][]) =>
      body({
        reasoning: { enabled: true, budgetTokens: 4000 },
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'q' }] },
          { role: 'assistant', content: [...assistantFirst, { type: 'tool_call', id: 't', name: 'f', arguments: '{}' }] } as IrRequest['messages'][number],
          { role: 'user', content: [{ type: 'tool_result', toolCallId: 't', content: [{ type: 'text', text: 'r' }] }] },
        ],
      });
    expect(loop([]).thinking).toBeUndefined();
    expect(loop([{ type: 'thinking', text: 'x', signature: { origin: 'gemini', value: 'g' } }]).thinking).toBeUndefined();
    expect(loop([{ type: 'thinking', text: 'x', signature: { origin: 'anthropic', value: 'a' } }]).thinking).toEqual({
      type: 'enabled',
      budget_tokens: 4000,
    });
  });

  it('maps structured output to output_config.format', () => {
    const schema = { type: 'object', properties: { a: { type: 'number' } } };
    expect(body({ responseFormat: { type: 'json_schema', name: 'x', schema, strict: true } }).output_config).toEqual({
      format: { type: 'json_schema', schema },
    });
    expect(body({ responseFormat: { type: 'json_object' } }).output_config).toEqual({ format: { type: 'json_schema', schema: { type: 'object' } } });
    expect(body({ responseFormat: { type: 'text' } }).output_config).toBeUndefined();
    expect(body({ responseFormat: { type: 'json_object' }, reasoning: { enabled: true, effort: 'low' } }).output_config).toEqual({
      effort: 'low',
      format: { type: 'json_schema', schema: { type: 'object' } },
    });
  });

  it('drops the fields Anthropic has no place for', () => {
    const encoded = body({ seed: 1, presencePenalty: 0.5, frequencyPenalty: 0.5, metadata: { a: 'b' }, stopSequences: [] });
    expect(encoded).toEqual({ model: 'claude-upstream', messages: [], max_tokens: 8192 });
  });
});

describe('count tokens, passthrough, auth', () => {
  it('count_tokens takes the prompt fields only', () => {
    const encoded = encodeAnthropicCountTokens(
      base({
        system: [{ type: 'text', text: 's' }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
        tools: [{ name: 'f', parameters: { type: 'object' } }],
        maxOutputTokens: 100,
        temperature: 0.5,
        stopSequences: ['x'],
        user: 'u',
        stream: true,
        reasoning: { enabled: true, budgetTokens: 2048 },
      }),
      { model: 'claude-upstream', stream: true },
    );
    expect(encoded).toEqual({
      path: '/v1/messages/count_tokens',
      body: {
        model: 'claude-upstream',
        system: 's',
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ name: 'f', input_schema: { type: 'object' } }],
        thinking: { type: 'enabled', budget_tokens: 2048 },
      },
    });
    expect(anthropicCodec.decodeCountTokens?.({ input_tokens: 42 })).toBe(42);
    expect(thrown(() => anthropicCodec.decodeCountTokens?.({ tokens: 1 })).kind).toBe('api_error');
    expect(anthropicCodec.encodeTokenCount?.(17)).toEqual({ input_tokens: 17 });
  });

  it('passthrough rewrites the model and nothing else', () => {
    const original = { model: 'public', max_tokens: 5, messages: [], stream: true, context_management: { edits: [] } };
    expect(rewriteAnthropicPassthrough(original, { model: 'claude-upstream', stream: true })).toEqual({
      path: '/v1/messages',
      body: { ...original, model: 'claude-upstream' },
    });
  });

  it('authenticates with x-api-key and the API version', () => {
    expect(anthropicCodec.authHeaders('sk-ant-1')).toEqual({ 'x-api-key': 'sk-ant-1', 'anthropic-version': '2023-06-01' });
  });
});
