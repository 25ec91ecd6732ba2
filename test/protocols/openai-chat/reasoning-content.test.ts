import { describe, expect, it } from 'vitest';
import { codecFor } from '../../../src/protocols/registry';

/**
 * Reasoning servers behind the Chat format (DeepSeek, Kimi) answer 400 when an assistant tool-call
 * turn comes back without its `reasoning_content`. Their reasoning reaches other clients unsigned
 * (Anthropic `prx1:none`, a Responses reasoning item without encrypted content) and goes back as
 * `reasoning_content`; reasoning another upstream signed does not.
 */
const target = { model: 'deepseek-reasoner', stream: false };
const assistantOf = (body: unknown) =>
  ((body as { messages: Array<Record<string, unknown>> }).messages).filter((message) => message.role === 'assistant');

describe('openai-chat encoder: reasoning_content on tool-call turns', () => {
  it('from an Anthropic client (Claude Code on DeepSeek)', () => {
    const ir = codecFor('anthropic').decodeRequest(
      {
        model: 'ds',
        max_tokens: 32000,
        thinking: { type: 'adaptive', display: 'omitted' },
        messages: [
          { role: 'user', content: 'list files' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'I should run ls.', signature: 'prx1:none' },
              { type: 'tool_use', id: 'call_1', name: 'Bash', input: { command: 'ls' } },
            ],
          },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'a.txt' }] },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'Claude thought', signature: 'EqQBCkgIARAB' }, { type: 'text', text: 'Done' }] },
          { role: 'user', content: 'and now?' },
        ],
      },
      {},
    );
    const [call, answer] = assistantOf(codecFor('openai-chat').encodeRequest(ir, target).body);
    expect(call).toMatchObject({ reasoning_content: 'I should run ls.', tool_calls: [{ id: 'call_1' }] });
    expect(answer).toEqual({ role: 'assistant', content: 'Done' });
  });

  it('from a Responses client (Codex on Kimi), and not for signed reasoning', () => {
    const ir = codecFor('openai-responses').decodeRequest(
      {
        model: 'kimi',
        input: [
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'ls' }] },
          { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Run ls.' }], encrypted_content: null },
          { type: 'function_call', call_id: 'call_1', name: 'exec_command', arguments: '{"cmd":"ls"}' },
          { type: 'function_call_output', call_id: 'call_1', output: 'a.txt' },
          { type: 'reasoning', id: 'rs_2', summary: [{ type: 'summary_text', text: 'Read it.' }], encrypted_content: 'gAAAAB-openai' },
          { type: 'function_call', call_id: 'call_2', name: 'exec_command', arguments: '{"cmd":"cat a.txt"}' },
          { type: 'function_call_output', call_id: 'call_2', output: 'x' },
        ],
      },
      {},
    );
    const [first, second] = assistantOf(codecFor('openai-chat').encodeRequest(ir, target).body);
    expect(first).toMatchObject({ reasoning_content: 'Run ls.' });
    expect(second).not.toHaveProperty('reasoning_content');
  });
});
