import { describe, expect, it } from 'vitest';
import type { IrRequest } from '../../../src/ir/request';
import type { UpstreamTarget } from '../../../src/protocols/codec';
import { codecFor } from '../../../src/protocols/registry';
import type { ModelProfile } from '../../../src/routing/provider';

/**
 * Per-model output limits (a route's `maxOutputTokens` and `outputTokenField`) applied to every
 * upstream request, translated and passthrough, in every format's own field.
 */
const profile = (overrides: Partial<ModelProfile> = {}): ModelProfile => ({
  contextWindow: null,
  maxOutputTokens: null,
  outputTokenField: 'max_tokens',
  ...overrides,
});
const target = (overrides: Partial<ModelProfile> = {}, stream = false): UpstreamTarget => ({ model: 'up', stream, profile: profile(overrides) });
const ir = (overrides: Partial<IrRequest> = {}): IrRequest => ({
  model: 'public',
  system: [],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: false,
  ...overrides,
});
const bodyOf = (encoded: { body: unknown }) => encoded.body as Record<string, unknown>;

describe('translated requests: the output cap in each format', () => {
  it('openai-chat spells it as the model takes it and clamps it (Claude Code asks 32,000)', () => {
    const chat = codecFor('openai-chat');
    expect(bodyOf(chat.encodeRequest(ir({ maxOutputTokens: 32000 }), target({ outputTokenField: 'max_completion_tokens' })))).toMatchObject({
      max_completion_tokens: 32000,
    });
    const legacy = bodyOf(chat.encodeRequest(ir({ maxOutputTokens: 32000 }), target({ maxOutputTokens: 8192 })));
    expect(legacy.max_tokens).toBe(8192);
    expect(legacy).not.toHaveProperty('max_completion_tokens');
    expect(bodyOf(chat.encodeRequest(ir({ maxOutputTokens: 100 }), target({ maxOutputTokens: 8192 }))).max_tokens).toBe(100);
  });

  it('openai-responses clamps max_output_tokens', () => {
    const body = bodyOf(codecFor('openai-responses').encodeRequest(ir({ maxOutputTokens: 32000 }), target({ maxOutputTokens: 16384 })));
    expect(body.max_output_tokens).toBe(16384);
  });

  it('gemini clamps generationConfig.maxOutputTokens', () => {
    const body = bodyOf(codecFor('gemini').encodeRequest(ir({ maxOutputTokens: 32000 }), target({ maxOutputTokens: 8192 })));
    expect(body.generationConfig).toMatchObject({ maxOutputTokens: 8192 });
  });

  it('anthropic clamps max_tokens, its default and the thinking budget under it', () => {
    const anthropic = codecFor('anthropic');
    expect(bodyOf(anthropic.encodeRequest(ir({ maxOutputTokens: 32000 }), target({ maxOutputTokens: 4096 }))).max_tokens).toBe(4096);
    expect(bodyOf(anthropic.encodeRequest(ir(), target({ maxOutputTokens: 4096 }))).max_tokens).toBe(4096);
    const budget = bodyOf(
      anthropic.encodeRequest(ir({ reasoning: { enabled: true, budgetTokens: 10000 } }), target({ maxOutputTokens: 8000 })),
    );
    expect(budget.max_tokens).toBe(8000);
    expect(budget.thinking).toEqual({ type: 'enabled', budget_tokens: 7999 });
  });

  it('without a model route nothing is clamped (unit callers, count_tokens)', () => {
    const body = bodyOf(codecFor('openai-chat').encodeRequest(ir({ maxOutputTokens: 32000 }), { model: 'up', stream: false }));
    expect(body.max_completion_tokens).toBe(32000);
  });
});

describe('passthrough bodies: the output cap in each format', () => {
  it('openai-chat renames max_tokens for models that refuse it, and clamps', () => {
    const chat = codecFor('openai-chat');
    const body = { model: 'public', messages: [], max_tokens: 32000 };
    expect(chat.rewritePassthrough(body, target({ outputTokenField: 'max_completion_tokens' })).body).toEqual({
      model: 'up',
      messages: [],
      max_completion_tokens: 32000,
    });
    expect(chat.rewritePassthrough(body, target({ outputTokenField: 'max_completion_tokens', maxOutputTokens: 4096 })).body).toEqual({
      model: 'up',
      messages: [],
      max_completion_tokens: 4096,
    });
    expect(chat.rewritePassthrough(body, target({ maxOutputTokens: 4096 })).body).toEqual({ model: 'up', messages: [], max_tokens: 4096 });
  });

  it('openai-chat leaves a client max_completion_tokens as sent, clamped only', () => {
    const chat = codecFor('openai-chat');
    const body = { model: 'up', messages: [], max_completion_tokens: 2000 };
    expect(chat.rewritePassthrough(body, target()).body).toBe(body);
    expect(chat.rewritePassthrough(body, target({ maxOutputTokens: 1000 })).body).toEqual({ ...body, max_completion_tokens: 1000 });
  });

  it('openai-responses clamps max_output_tokens and leaves a body within the ceiling as it is', () => {
    const responses = codecFor('openai-responses');
    const body = { model: 'up', input: 'hi', max_output_tokens: 32000 };
    expect(responses.rewritePassthrough(body, target({ maxOutputTokens: 16384 })).body).toEqual({ ...body, max_output_tokens: 16384 });
    expect(responses.rewritePassthrough(body, target({ maxOutputTokens: 64000 })).body).toBe(body);
  });

  it('gemini clamps either spelling of the generation config', () => {
    const gemini = codecFor('gemini');
    const camel = { contents: [], generationConfig: { temperature: 1, maxOutputTokens: 32000 } };
    expect(gemini.rewritePassthrough(camel, target({ maxOutputTokens: 8192 })).body).toEqual({
      contents: [],
      generationConfig: { temperature: 1, maxOutputTokens: 8192 },
    });
    const snake = { contents: [], generation_config: { max_output_tokens: 32000 } };
    expect(gemini.rewritePassthrough(snake, target({ maxOutputTokens: 8192 })).body).toEqual({
      contents: [],
      generation_config: { max_output_tokens: 8192 },
    });
    expect(gemini.rewritePassthrough(camel, target()).body).toBe(camel);
  });

  it('anthropic clamps max_tokens and keeps a thinking budget below it (or drops thinking when no budget fits)', () => {
    const anthropic = codecFor('anthropic');
    const body = { model: 'up', max_tokens: 32000, messages: [], thinking: { type: 'enabled', budget_tokens: 16000 } };
    expect(anthropic.rewritePassthrough(body, target({ maxOutputTokens: 8192 })).body).toEqual({
      ...body,
      max_tokens: 8192,
      thinking: { type: 'enabled', budget_tokens: 8191 },
    });
    expect(anthropic.rewritePassthrough(body, target({ maxOutputTokens: 1024 })).body).toEqual({ model: 'up', max_tokens: 1024, messages: [] });
    const adaptive = { model: 'up', max_tokens: 32000, messages: [], thinking: { type: 'adaptive', display: 'omitted' } };
    expect(anthropic.rewritePassthrough(adaptive, target({ maxOutputTokens: 8192 })).body).toEqual({ ...adaptive, max_tokens: 8192 });
    expect(anthropic.rewritePassthrough(adaptive, target({ maxOutputTokens: 64000 })).body).toBe(adaptive);
  });
});
