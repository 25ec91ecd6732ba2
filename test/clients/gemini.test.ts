import { GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import { describe, expect, inject, it } from 'vitest';
import { UPSTREAMS, WEATHER_TOOL } from './formats';

const ai = new GoogleGenAI({ apiKey: inject('relayKey'), httpOptions: { baseUrl: inject('relayUrl') } });
const tools = [{ functionDeclarations: [{ name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, parametersJsonSchema: WEATHER_TOOL.parameters }] }];

describe.each(UPSTREAMS)('google genai SDK → $format upstream', ({ model }) => {
  it('answers text with usage', async () => {
    const response = await ai.models.generateContent({ model, contents: 'Say hello', config: { systemInstruction: 'Be brief.' } });
    expect(response.text).toMatch(/\S/);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
  });

  it('streams text', async () => {
    const chunks: GenerateContentResponse[] = [];
    for await (const chunk of await ai.models.generateContentStream({ model, contents: 'Say hello' })) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.map((chunk) => chunk.text ?? '').join('')).toMatch(/\S/);
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
  });

  it('calls a function, streaming and not, and takes its response back', async () => {
    const response = await ai.models.generateContent({ model, contents: 'Weather in Paris?', config: { tools } });
    const call = response.functionCalls?.[0];
    expect(call?.name).toBe('get_weather');
    expect(call?.args).toBeTypeOf('object');

    const streamedCalls = [];
    for await (const chunk of await ai.models.generateContentStream({ model, contents: 'Weather in Paris?', config: { tools } })) {
      streamedCalls.push(...(chunk.functionCalls ?? []));
    }
    expect(streamedCalls[0]?.name).toBe('get_weather');

    const modelTurn = response.candidates?.[0]?.content;
    if (modelTurn === undefined) throw new Error('expected a model turn');
    const followUp = await ai.models.generateContent({
      model,
      config: { tools },
      contents: [
        { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
        modelTurn,
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', ...(call?.id ? { id: call.id } : {}), response: { output: '18C and sunny' } } }] },
      ],
    });
    expect(followUp.text).toMatch(/\S/);
  });

  it('counts tokens', async () => {
    const counted = await ai.models.countTokens({ model, contents: 'Say hello to everyone in the room' });
    expect(counted.totalTokens).toBeGreaterThan(0);
  });
});
