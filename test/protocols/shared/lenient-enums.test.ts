import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import { codecFor } from '../../../src/protocols/registry';

/**
 * Optional fields that only tune the answer take values newer than the relay: unknown ones map to
 * the nearest known value or are dropped, never a 400. Required structure stays strict.
 */
const decode = (format: Parameters<typeof codecFor>[0], body: unknown, route = {}) => codecFor(format).decodeRequest(body, route);
const errorOf = (run: () => unknown): RelayError => {
  try {
    run();
  } catch (error) {
    if (error instanceof RelayError) return error;
  }
  throw new Error('expected a RelayError');
};

describe('anthropic', () => {
  const base = { model: 'c', max_tokens: 32000, messages: [{ role: 'user', content: 'hi' }] };

  it('reads Claude Code SDK mode thinking.display "updates" as the default display (shown)', () => {
    const ir = decode('anthropic', { ...base, thinking: { type: 'adaptive', display: 'updates' }, output_config: { effort: 'medium' } });
    expect(ir.reasoning).toEqual({ enabled: true, visible: true, effort: 'medium' });
  });

  it('maps an unknown effort to the nearest one or drops it, and drops unknown cache TTLs', () => {
    expect(decode('anthropic', { ...base, output_config: { effort: 'minimal' } }).reasoning?.effort).toBe('low');
    expect(decode('anthropic', { ...base, thinking: { type: 'adaptive' }, output_config: { effort: 'ludicrous' } }).reasoning).toEqual({ enabled: true, visible: true });
    const cached = decode('anthropic', { ...base, system: [{ type: 'text', text: 's', cache_control: { type: 'ephemeral', ttl: '24h' } }] });
    expect(cached.system).toEqual([{ type: 'text', text: 's', cache: {} }]);
  });

  it('still refuses broken structure', () => {
    expect(errorOf(() => decode('anthropic', { ...base, thinking: { type: 'enabled' } })).status).toBe(400);
    expect(errorOf(() => decode('anthropic', { ...base, max_tokens: undefined })).status).toBe(400);
  });
});

describe('openai-chat', () => {
  const base = { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'ultra' } }] }] };

  it('drops an unknown reasoning_effort, image detail and response_format type', () => {
    const ir = decode('openai-chat', { ...base, reasoning_effort: 'turbo', response_format: { type: 'grammar', grammar: 'x' }, verbosity: 'low', service_tier: 'flex' });
    expect(ir.reasoning).toBeUndefined();
    expect(ir.responseFormat).toBeUndefined();
    expect(ir.messages[0]?.content[0]).toEqual({ type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' } });
  });

  it('still refuses a json_schema format without its schema object shape', () => {
    expect(errorOf(() => decode('openai-chat', { ...base, response_format: { type: 'json_schema' } })).status).toBe(400);
  });
});

describe('openai-responses', () => {
  it('reads the newest Codex request fields (reasoning.context/mode, text.verbosity, prompt caching, context_management)', () => {
    const ir = decode('openai-responses', {
      model: 'gpt-5.5',
      input: [{ type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] }, { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
      reasoning: { effort: 'ultra', summary: 'verbose', context: 'all_turns', mode: 'pro' },
      text: { verbosity: 'low', format: { type: 'grammar' } },
      include: ['reasoning.encrypted_content', 'message.output_text.logprobs'],
      service_tier: 'priority',
      prompt_cache_key: 'k',
      prompt_cache_retention: '24h',
      prompt_cache_options: { mode: 'explicit', ttl: '12h' },
      context_management: [{ type: 'compaction', compact_threshold: 200000 }],
      stream_options: { include_obfuscation: false },
      truncation: 'auto',
      store: false,
      stream: true,
    });
    // Both knobs unknown: the target's defaults, as if the client had sent no reasoning object.
    expect(ir.reasoning).toBeUndefined();
    expect(ir.responseFormat).toBeUndefined();
    expect(ir.system).toEqual([{ type: 'text', text: 'You are Codex.' }]);
  });
});

describe('gemini', () => {
  it('drops an unknown thinkingLevel and function-calling mode', () => {
    const ir = decode(
      'gemini',
      {
        contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
        tools: [{ functionDeclarations: [{ name: 'f' }] }],
        toolConfig: { functionCallingConfig: { mode: 'SOMETIMES' } },
        generationConfig: { thinkingConfig: { thinkingLevel: 'ULTRA' } },
      },
      { model: 'g', stream: false },
    );
    expect(ir.toolChoice).toBeUndefined();
    expect(ir.tools?.map((tool) => tool.name)).toEqual(['f']);
  });
});
