/** The suite's model per upstream format, shared by the SDK tests. */
export const UPSTREAMS = [
  { format: 'openai-chat', model: 'fake-chat' },
  { format: 'openai-responses', model: 'fake-responses' },
  { format: 'anthropic', model: 'fake-claude' },
  { format: 'gemini', model: 'fake-gemini' },
  { format: 'mock', model: 'mock-sdk' },
] as const;

export const WEATHER_TOOL: {
  name: 'get_weather';
  description: string;
  parameters: { type: 'object'; properties: Record<string, { type: string }>; required: string[] };
} = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
