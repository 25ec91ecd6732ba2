import { describe, expect, it } from 'vitest';
import type { IrRequest, IrTool } from '../../src/ir/request';
import { mockReply } from '../../src/mock/mock-reply';

const tool = (name: string): IrTool => ({ name, parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } });
const WEATHER = tool('get_weather');
/** The first of Claude Code's tools, and two more. */
const AGENT_TOOLS = [tool('Agent'), tool('Bash'), tool('TodoWrite')];

const request = (text: string | string[], extra: Partial<IrRequest> = {}): IrRequest => ({
  model: 'mock-test',
  stream: false,
  system: [],
  messages: [{ role: 'user', content: (Array.isArray(text) ? text : [text]).map((part) => ({ type: 'text' as const, text: part })) }],
  ...extra,
});

const callOf = (reply: ReturnType<typeof mockReply>) => reply.content.find((block) => block.type === 'tool_call');

describe('mockReply', () => {
  it('calls a tool the prompt names, with arguments from its schema', () => {
    const reply = mockReply(request('Weather in Paris?', { tools: [tool('lookup_stock'), WEATHER] }), 'r1');
    expect(reply.stopReason).toBe('tool_use');
    expect(callOf(reply)).toMatchObject({ name: 'get_weather', arguments: '{"city":"mock"}' });
  });

  it('answers text when no tool is named, even with an agent’s dozen tools on offer', () => {
    const reply = mockReply(request('Say hello', { tools: AGENT_TOOLS }), 'r2');
    expect(reply.stopReason).toBe('end_turn');
    expect(reply.content).toEqual([{ type: 'text', text: 'Mock reply from polyrelay. You said: "Say hello"' }]);
  });

  it('reads only the last text block of the turn (agents put reminders naming tools before the prompt)', () => {
    const reminder = '<system-reminder>Use the TodoWrite tool and the Agent tool when useful.</system-reminder>';
    expect(callOf(mockReply(request([reminder, 'Say hello'], { tools: AGENT_TOOLS }), 'r3'))).toBeUndefined();
    expect(callOf(mockReply(request([reminder, 'Run bash: ls'], { tools: AGENT_TOOLS }), 'r4'))?.name).toBe('Bash');
  });

  it('follows tool_choice: a named tool, required (the first tool), none', () => {
    expect(callOf(mockReply(request('Say hello', { tools: AGENT_TOOLS, toolChoice: { type: 'tool', name: 'Bash' } }), 'r5'))?.name).toBe('Bash');
    expect(callOf(mockReply(request('Say hello', { tools: AGENT_TOOLS, toolChoice: { type: 'required' } }), 'r6'))?.name).toBe('Agent');
    expect(callOf(mockReply(request('Weather in Paris?', { tools: [WEATHER], toolChoice: { type: 'none' } }), 'r7'))).toBeUndefined();
  });

  it('quotes a tool result instead of calling again, and honours max tokens', () => {
    const withResult: IrRequest = {
      model: 'mock-test',
      stream: false,
      system: [],
      tools: [WEATHER],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
        { role: 'assistant', content: [{ type: 'tool_call', id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 'c1', content: [{ type: 'text', text: '18C' }] }] },
      ],
    };
    expect(mockReply(withResult, 'r8').content).toEqual([{ type: 'text', text: 'Mock reply: the tool returned "18C".' }]);
    const cut = mockReply(request('Say hello', { maxOutputTokens: 2 }), 'r9');
    expect(cut.stopReason).toBe('max_tokens');
    expect(cut.content).toEqual([{ type: 'text', text: 'Mock reply' }]);
  });
});
