import { describe, expect, it } from 'vitest';
import { codecFor } from '../../../src/protocols/registry';
import { wrapSignature } from '../../../src/protocols/signature';

/**
 * A conversation that moved between models holds reasoning state another upstream minted, in relay
 * envelopes. Translation hands state only to the format that minted it; passthrough follows the
 * same rule (issue: Claude Code switching from a Gemini-served model to Claude was refused).
 */
const target = { model: 'up', stream: true };
const gemEnvelope = wrapSignature({ origin: 'gemini', placement: 'fc', value: 'CiQgemini' }, 'anthropic');
const oaiEnvelope = wrapSignature({ origin: 'openai-responses', value: 'gAAAAB-state', itemId: 'rs_1' }, 'anthropic');

const toolLoop = (assistantContent: unknown[], thinking: unknown = { type: 'adaptive', display: 'omitted' }) => ({
  model: 'up',
  max_tokens: 32000,
  thinking,
  messages: [
    { role: 'user', content: 'list files' },
    { role: 'assistant', content: assistantContent },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.txt' }] },
  ],
});
const toolUse = { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } };

describe('anthropic passthrough: foreign thinking blocks', () => {
  const rewrite = (body: Record<string, unknown>) => codecFor('anthropic').rewritePassthrough(body, target).body as Record<string, unknown>;

  it('leaves a conversation of its own thinking untouched (same object, no copy)', () => {
    const body = toolLoop([{ type: 'thinking', thinking: 'plan', signature: 'EqQBCkgIARAB' }, toolUse]);
    expect(rewrite(body)).toBe(body);
  });

  it('drops Gemini- and Responses-minted blocks, and thinking for the step that lost its opening block', () => {
    const body = toolLoop([{ type: 'thinking', thinking: '', signature: gemEnvelope }, toolUse]);
    const sent = rewrite(body);
    expect(sent.messages).toEqual([body.messages[0], { role: 'assistant', content: [toolUse] }, body.messages[2]]);
    expect(sent).not.toHaveProperty('thinking');
    expect(body.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'thinking', thinking: '', signature: gemEnvelope }, toolUse] });
  });

  it('opens an envelope around an Anthropic signature and keeps thinking on', () => {
    const body = toolLoop([{ type: 'thinking', thinking: 'plan', signature: 'prx1:ant:EqQBCkgIARAB' }, toolUse]);
    const sent = rewrite(body);
    expect((sent.messages as Array<{ content: unknown }>)[1]?.content).toEqual([{ type: 'thinking', thinking: 'plan', signature: 'EqQBCkgIARAB' }, toolUse]);
    expect(sent.thinking).toEqual(body.thinking);
  });

  it('keeps thinking on when the step still opens with a thinking block, and drops turns of foreign thinking only', () => {
    const body = {
      model: 'up',
      max_tokens: 1000,
      thinking: { type: 'adaptive' },
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'x', signature: 'prx1:none' }] },
        { role: 'user', content: 'again' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'y', signature: 'own' }, { type: 'thinking', thinking: 'z', signature: oaiEnvelope }, toolUse] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
      ],
    };
    const sent = rewrite(body);
    expect((sent.messages as unknown[]).length).toBe(4);
    expect((sent.messages as Array<{ content: unknown }>)[2]?.content).toEqual([{ type: 'thinking', thinking: 'y', signature: 'own' }, toolUse]);
    expect(sent.thinking).toEqual({ type: 'adaptive' });
  });
});

describe('openai-responses passthrough: foreign reasoning items', () => {
  const rewrite = (body: Record<string, unknown>) => codecFor('openai-responses').rewritePassthrough(body, target).body as Record<string, unknown>;

  it('drops items wrapping Claude or Gemini state and opens its own envelopes', () => {
    const antItem = { type: 'reasoning', id: 'rs_a', summary: [], encrypted_content: wrapSignature({ origin: 'anthropic', value: 'sig' }, 'openai-responses') };
    const ownEnvelope = { type: 'reasoning', id: 'rs_x', summary: [], encrypted_content: oaiEnvelope };
    const plain = { type: 'reasoning', id: 'rs_p', summary: [], encrypted_content: 'gAAAAB-plain' };
    const call = { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' };
    const body = { model: 'up', input: [{ role: 'user', content: 'hi' }, antItem, ownEnvelope, plain, call] };
    expect(rewrite(body).input).toEqual([
      { role: 'user', content: 'hi' },
      { ...ownEnvelope, id: 'rs_1', encrypted_content: 'gAAAAB-state' },
      plain,
      call,
    ]);
    const clean = { model: 'up', input: [plain, call] };
    expect(rewrite(clean)).toBe(clean);
  });
});

describe('gemini passthrough: foreign thought signatures', () => {
  it('drops thought parts carrying another upstream state, opens its own envelopes, strips others', () => {
    const antEnvelope = wrapSignature({ origin: 'anthropic', value: 'sig' }, 'gemini');
    const ownEnvelope = wrapSignature({ origin: 'gemini', placement: 'fc', value: 'CiQown' }, 'gemini');
    const body = {
      contents: [
        { role: 'user', parts: [{ text: 'hi' }] },
        { role: 'model', parts: [{ text: '', thought: true, thoughtSignature: antEnvelope }] },
        {
          role: 'model',
          parts: [
            { text: 'calling', thought_signature: antEnvelope },
            { functionCall: { name: 'f', args: {} }, thoughtSignature: ownEnvelope },
          ],
        },
        { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: 'ok' } } }] },
      ],
    };
    const sent = codecFor('gemini').rewritePassthrough(body, target).body as { contents: unknown[] };
    expect(sent.contents).toEqual([
      body.contents[0],
      { role: 'model', parts: [{ text: 'calling' }, { functionCall: { name: 'f', args: {} }, thoughtSignature: 'CiQown' }] },
      body.contents[3],
    ]);
    const clean = { contents: [body.contents[0]] };
    expect(codecFor('gemini').rewritePassthrough(clean, target).body).toBe(clean);
  });
});
