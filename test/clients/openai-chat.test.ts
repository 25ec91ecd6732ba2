import OpenAI from 'openai';
import { describe, expect, inject, it } from 'vitest';
import { UPSTREAMS, WEATHER_TOOL } from './formats';

const client = new OpenAI({ apiKey: inject('relayKey'), baseURL: `${inject('relayUrl')}/v1`, maxRetries: 0 });
const messages = [
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'Say hello' },
];
const tools = [{ type: 'function' as const, function: WEATHER_TOOL }];

describe.each(UPSTREAMS)('openai SDK chat.completions → $format upstream', ({ model }) => {
  it('answers text with usage', async () => {
    const completion = await client.chat.completions.create({ model, messages });
    const choice = completion.choices[0];
    expect(choice?.message.content).toMatch(/\S/);
    expect(choice?.finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0));
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('streams text, with usage only when asked', async () => {
    const stream = client.chat.completions.stream({ model, messages, stream_options: { include_usage: true } });
    let deltas = 0;
    stream.on('content', () => deltas++);
    const final = await stream.finalChatCompletion();
    expect(deltas).toBeGreaterThan(0);
    expect(final.choices[0]?.message.content).toMatch(/\S/);
    expect(final.choices[0]?.finish_reason).toBe('stop');
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);

    const chunks = await client.chat.completions.create({ model, messages, stream: true });
    const seen: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of chunks) seen.push(chunk);
    expect(seen.some((chunk) => chunk.usage)).toBe(false);
  });

  it('calls a tool', async () => {
    const completion = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools });
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toBeTypeOf('object');
    expect(call.id).toMatch(/\S/);
  });

  it('streams a tool call and takes its result back', async () => {
    const stream = client.chat.completions.stream({ model, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toBeTypeOf('object');

    const followUp = await client.chat.completions.create({
      model,
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '18C and sunny' },
      ],
    });
    expect(followUp.choices[0]?.message.content).toMatch(/\S/);
  });
});

describe('openai SDK errors and listing', () => {
  it('lists models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['fake-chat', 'fake-claude', 'fake-gemini', 'fake-responses']));
  });

  it('raises NotFoundError for an unknown model and AuthenticationError for a bad key', async () => {
    await expect(client.chat.completions.create({ model: 'no-such-model', messages })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const stranger = new OpenAI({ apiKey: 'sk-relay-wrong', baseURL: `${inject('relayUrl')}/v1`, maxRetries: 0 });
    await expect(stranger.chat.completions.create({ model: 'fake-chat', messages })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
