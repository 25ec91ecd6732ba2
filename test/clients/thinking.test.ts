import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, inject, it } from 'vitest';
import { FAKE_GEMINI_SIGNATURE } from '../fakes/gemini-upstream';
import { WEATHER_TOOL } from './formats';

const anthropic = new Anthropic({ apiKey: inject('relayKey'), baseURL: inject('relayUrl'), maxRetries: 0 });
const openai = new OpenAI({ apiKey: inject('relayKey'), baseURL: `${inject('relayUrl')}/v1`, maxRetries: 0 });
const tools = [{ name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, input_schema: WEATHER_TOOL.parameters }];

/** What the fake upstream of a format received last (served by the fake's `GET /__requests`). */
const lastUpstreamBody = async (format: 'anthropic' | 'gemini'): Promise<Record<string, unknown>> => {
  const requests = (await (await fetch(`${inject('fakeUrls')[format]}/__requests`)).json()) as Array<{ body: Record<string, unknown> }>;
  const last = requests.at(-1);
  if (last === undefined) throw new Error(`${format} fake saw no request`);
  return last.body;
};

describe('reasoning state across formats, driven by the official SDKs', () => {
  it('Claude client ↔ Gemini upstream: the thought signature rides in the thinking block and returns to Gemini', async () => {
    const first = await anthropic.messages
      .stream({ model: 'fake-gemini', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, tools, messages: [{ role: 'user', content: 'Weather in Paris?' }] })
      .finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    const thinking = first.content.find((block) => block.type === 'thinking');
    if (thinking?.type !== 'thinking') throw new Error('expected a thinking block carrying the Gemini signature');
    expect(thinking.signature).toBe(`prx1:gem:fc:${FAKE_GEMINI_SIGNATURE}`);
    const call = first.content.find((block) => block.type === 'tool_use');
    if (call?.type !== 'tool_use') throw new Error('expected a tool_use block');

    const followUp = await anthropic.messages.create({
      model: 'fake-gemini',
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '18C' }] },
      ],
    });
    expect(followUp.content.length).toBeGreaterThan(0);
    const sent = await lastUpstreamBody('gemini');
    const modelTurn = (sent.contents as Array<{ role: string; parts: Array<Record<string, unknown>> }>).find((content) => content.role === 'model');
    expect(modelTurn?.parts[0]).toMatchObject({ functionCall: { name: 'get_weather' }, thoughtSignature: FAKE_GEMINI_SIGNATURE });
  });

  it('Responses client ↔ Claude upstream: the Anthropic signature rides in encrypted_content and returns verbatim', async () => {
    const first = await openai.responses
      .stream({ model: 'fake-claude', input: 'Weather in Paris?', reasoning: { effort: 'low', summary: 'auto' }, include: ['reasoning.encrypted_content'], store: false, tools: [{ type: 'function', ...WEATHER_TOOL, strict: false }] })
      .finalResponse();
    const reasoning = first.output.find((item) => item.type === 'reasoning');
    if (reasoning?.type !== 'reasoning') throw new Error('expected a reasoning item');
    expect(reasoning.encrypted_content).toMatch(/^prx1:ant:/);
    const call = first.output.find((item) => item.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('expected a function_call item');
    const signature = reasoning.encrypted_content?.slice('prx1:ant:'.length);

    await openai.responses.create({
      model: 'fake-claude',
      reasoning: { effort: 'low', summary: 'auto' },
      store: false,
      tools: [{ type: 'function', ...WEATHER_TOOL, strict: false }],
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        { type: 'reasoning', id: reasoning.id, summary: reasoning.summary, encrypted_content: reasoning.encrypted_content ?? null },
        { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: '18C' },
      ],
    });
    const sent = await lastUpstreamBody('anthropic');
    const assistant = (sent.messages as Array<{ role: string; content: Array<Record<string, unknown>> }>).find((message) => message.role === 'assistant');
    expect(assistant?.content[0]).toMatchObject({ type: 'thinking', signature });
    expect(assistant?.content[1]).toMatchObject({ type: 'tool_use', id: call.call_id, name: 'get_weather' });
  });
});
