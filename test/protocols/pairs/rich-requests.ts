import type { WireFormat } from '../../../src/ir/format';
import type { RouteInfo } from '../../../src/protocols/codec';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const weather = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

/**
 * One request per client format with what every pair can carry: system prompt, base64 image, a
 * tool definition, a tool-call history with two parallel calls and their results, sampling and
 * limits. (Stop sequences are not here: Responses has no field for them, see request-matrix.)
 */
export const RICH_REQUESTS: Record<WireFormat, { body: Record<string, unknown>; route: RouteInfo }> = {
  'openai-chat': {
    route: {},
    body: {
      model: 'client-model',
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: [{ type: 'text', text: 'Compare Paris and Rome.' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: '18C' },
        { role: 'tool', tool_call_id: 'call_b', content: '24C' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: weather } }],
      tool_choice: 'auto',
      max_completion_tokens: 256,
      temperature: 0.2,
      stream: true,
      stream_options: { include_usage: true },
    },
  },
  'openai-responses': {
    route: {},
    body: {
      model: 'client-model',
      instructions: 'Be terse.',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'Compare Paris and Rome.' }, { type: 'input_image', image_url: `data:image/png;base64,${PNG}`, detail: 'auto' }] },
        { type: 'function_call', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', call_id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'call_a', output: '18C' },
        { type: 'function_call_output', call_id: 'call_b', output: '24C' },
      ],
      tools: [{ type: 'function', name: 'get_weather', description: 'Current weather', parameters: weather, strict: false }],
      tool_choice: 'auto',
      max_output_tokens: 256,
      temperature: 0.2,
      stream: true,
    },
  },
  anthropic: {
    route: {},
    body: {
      model: 'client-model',
      system: [{ type: 'text', text: 'Be terse.' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Compare Paris and Rome.' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }] },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'call_a', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'call_b', name: 'get_weather', input: { city: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_a', content: '18C' },
            { type: 'tool_result', tool_use_id: 'call_b', content: '24C' },
          ],
        },
      ],
      tools: [{ name: 'get_weather', description: 'Current weather', input_schema: weather }],
      tool_choice: { type: 'auto' },
      max_tokens: 256,
      temperature: 0.2,
      stream: true,
    },
  },
  gemini: {
    route: { model: 'client-model', stream: true },
    body: {
      systemInstruction: { parts: [{ text: 'Be terse.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Compare Paris and Rome.' }, { inlineData: { mimeType: 'image/png', data: PNG } }] },
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'skip_thought_signature_validator' },
            { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_weather', response: { output: '18C' } } },
            { functionResponse: { name: 'get_weather', response: { output: '24C' } } },
          ],
        },
      ],
      tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Current weather', parametersJsonSchema: weather }] }],
      toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
      generationConfig: { maxOutputTokens: 256, temperature: 0.2 },
    },
  },
};
