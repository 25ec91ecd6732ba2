import { describe, expect, it } from 'vitest';
import { decodeAnthropicError } from '../../../src/protocols/anthropic/errors';
import { refusedThinkingSignature, withoutSignedThinking } from '../../../src/protocols/anthropic/provider-bound-thinking';

const apiError = (status: number, message: string) =>
  decodeAnthropicError(status, JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message }, request_id: 'req_011' }), new Headers());

describe('signed thinking another Anthropic provider refuses', () => {
  it("recognises the API's refusal of a signature, and nothing else", () => {
    expect(refusedThinkingSignature(apiError(400, 'messages.1.content.0: Invalid `signature` in `thinking` block'))).toBe(true);
    expect(refusedThinkingSignature(apiError(400, 'messages.3.content.0: Invalid `signature` in `thinking` block'))).toBe(true);
    expect(refusedThinkingSignature(apiError(400, 'max_tokens: Field required'))).toBe(false);
    expect(refusedThinkingSignature(apiError(500, 'messages.1.content.0: Invalid `signature` in `thinking` block'))).toBe(false);
  });

  it('drops thinking and redacted_thinking blocks from assistant turns, and nothing when there are none', () => {
    const body = {
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'redacted_thinking', data: 'EmwKAhgB' }, { type: 'thinking', thinking: 't', signature: 's' }] },
        { role: 'user', content: 'again' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 's2' }, { type: 'text', text: 'ok' }] },
        { role: 'user', content: 'more' },
      ],
    };
    expect(withoutSignedThinking(body)).toEqual({
      thinking: body.thinking,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'user', content: 'again' },
        { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
        { role: 'user', content: 'more' },
      ],
    });
    expect(withoutSignedThinking({ messages: [{ role: 'assistant', content: [{ type: 'text', text: 'ok' }] }] })).toBeUndefined();
  });
});
