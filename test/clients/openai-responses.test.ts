import OpenAI from 'openai';
import { describe, expect, inject, it } from 'vitest';
import { UPSTREAMS, WEATHER_TOOL } from './formats';

const client = new OpenAI({ apiKey: inject('relayKey'), baseURL: `${inject('relayUrl')}/v1`, maxRetries: 0 });
const tools = [{ type: 'function' as const, ...WEATHER_TOOL, strict: false }];

describe.each(UPSTREAMS)('openai SDK responses → $format upstream', ({ model }) => {
  it('answers text with usage', async () => {
    const response = await client.responses.create({ model, instructions: 'Be brief.', input: 'Say hello' });
    expect(response.status).toBe('completed');
    expect(response.output_text).toMatch(/\S/);
    expect(response.usage?.total_tokens).toBe((response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0));
  });

  it('streams text through the SDK accumulator', async () => {
    const stream = client.responses.stream({ model, input: 'Say hello' });
    let deltas = 0;
    stream.on('response.output_text.delta', () => deltas++);
    const final = await stream.finalResponse();
    expect(deltas).toBeGreaterThan(0);
    expect(final.status).toBe('completed');
    expect(final.output_text).toMatch(/\S/);
    expect(final.usage?.output_tokens).toBeGreaterThan(0);
  });

  it('calls a tool, streaming and not, and takes its output back', async () => {
    const response = await client.responses.create({ model, input: 'Weather in Paris?', tools });
    const call = response.output.find((item) => item.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('expected a function_call item');
    expect(call.name).toBe('get_weather');
    expect(JSON.parse(call.arguments)).toBeTypeOf('object');

    const streamed = await client.responses.stream({ model, input: 'Weather in Paris?', tools }).finalResponse();
    const streamedCall = streamed.output.find((item) => item.type === 'function_call');
    if (streamedCall?.type !== 'function_call') throw new Error('expected a streamed function_call item');
    expect(streamedCall.name).toBe('get_weather');

    const followUp = await client.responses.create({
      model,
      tools,
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: '18C and sunny' },
      ],
    });
    expect(followUp.output_text).toMatch(/\S/);
  });

  it('counts input tokens (POST /v1/responses/input_tokens)', async () => {
    const counted = await client.responses.inputTokens.count({ model, instructions: 'Be brief.', input: 'Say hello to everyone in the room' });
    expect(counted.object).toBe('response.input_tokens');
    expect(counted.input_tokens).toBeGreaterThan(0);
  });
});
