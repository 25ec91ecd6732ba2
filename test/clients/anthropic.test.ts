import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, inject, it } from 'vitest';
import { UPSTREAMS, WEATHER_TOOL } from './formats';

const client = new Anthropic({ apiKey: inject('relayKey'), baseURL: inject('relayUrl'), maxRetries: 0 });
const tools = [{ name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, input_schema: WEATHER_TOOL.parameters }];

const textOf = (message: Anthropic.Message): string =>
  message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');

describe.each(UPSTREAMS)('anthropic SDK messages → $format upstream', ({ model }) => {
  it('answers text with usage', async () => {
    const message = await client.messages.create({ model, max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: 'Say hello' }] });
    expect(message.type).toBe('message');
    expect(textOf(message)).toMatch(/\S/);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('streams text through the SDK MessageStream', async () => {
    const stream = client.messages.stream({ model, max_tokens: 256, messages: [{ role: 'user', content: 'Say hello' }] });
    let deltas = 0;
    stream.on('text', () => deltas++);
    const final = await stream.finalMessage();
    expect(deltas).toBeGreaterThan(0);
    expect(textOf(final)).toMatch(/\S/);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it('calls a tool, streaming and not, and takes its result back', async () => {
    const message = await client.messages.create({ model, max_tokens: 256, tools, messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    expect(message.stop_reason).toBe('tool_use');
    const call = message.content.find((block) => block.type === 'tool_use');
    if (call?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(call.name).toBe('get_weather');
    expect(call.input).toBeTypeOf('object');
    expect(call.id).toMatch(/^[a-zA-Z0-9_-]+$/);

    const streamed = await client.messages.stream({ model, max_tokens: 256, tools, messages: [{ role: 'user', content: 'Weather in Paris?' }] }).finalMessage();
    const streamedCall = streamed.content.find((block) => block.type === 'tool_use');
    if (streamedCall?.type !== 'tool_use') throw new Error('expected a streamed tool_use block');
    expect(streamedCall.input).toBeTypeOf('object');
    expect(streamed.stop_reason).toBe('tool_use');

    const followUp = await client.messages.create({
      model,
      max_tokens: 256,
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: message.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '18C and sunny' }] },
      ],
    });
    expect(textOf(followUp)).toMatch(/\S/);
  });

  it('counts tokens', async () => {
    const counted = await client.messages.countTokens({ model, messages: [{ role: 'user', content: 'Say hello to everyone in the room' }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
  });
});

describe('anthropic SDK errors and listing', () => {
  it('lists models and raises typed errors', async () => {
    const page = await client.models.list();
    expect(page.data.map((model) => model.id)).toEqual(expect.arrayContaining(['fake-claude']));
    await expect(client.messages.create({ model: 'no-such-model', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      Anthropic.NotFoundError,
    );
    await expect(client.messages.create({ model: 'mock-x', max_tokens: 10, messages: [] })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });
});
