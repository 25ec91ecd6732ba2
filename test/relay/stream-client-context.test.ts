import { expect, it } from 'vitest';
import type { WireFormat } from '../../src/ir/format';
import type { RouteInfo } from '../../src/protocols/codec';
import { codecFor } from '../../src/protocols/registry';
import { lightRequestOf } from '../../src/relay/stream-client-context';
import { reasoningFloorOf } from '../../src/relay/token-estimate';

const history = Array.from({ length: 50 }, (_, i) => `turn ${i} ${'x'.repeat(100)}`);

/** A streamed request with a conversation and reasoning asked for, per client format. */
const requests: Array<[WireFormat, Record<string, unknown>, RouteInfo]> = [
  ['openai-chat', { model: 'm', stream: true, reasoning_effort: 'high', tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }], messages: history.map((content) => ({ role: 'user', content })) }, { stream: true }],
  ['openai-responses', { model: 'm', stream: true, instructions: 'be brief', reasoning: { effort: 'medium' }, input: history.map((content) => ({ type: 'message', role: 'user', content })) }, { stream: true }],
  ['anthropic', { model: 'm', stream: true, max_tokens: 4096, system: 'be brief', thinking: { type: 'enabled', budget_tokens: 512 }, messages: history.map((content) => ({ role: 'user', content })) }, { stream: true }],
  ['gemini', { systemInstruction: { parts: [{ text: 'be brief' }] }, generationConfig: { thinkingConfig: { thinkingBudget: 2048 } }, contents: history.map((text) => ({ role: 'user', parts: [{ text }] })) }, { model: 'm', stream: true }],
];

it.each(requests)('keeps of a %s request what a stream may need at its end, without the conversation', (format, body, route) => {
  const clientCodec = codecFor(format);
  const full = clientCodec.decodeRequest(body, { ...route, model: 'm', stream: true });
  const light = lightRequestOf({ clientCodec, route, body, stream: true })();
  expect(light).toBeDefined();
  expect(light?.model).toBe('m');
  // At most one message, with no text of the conversation in it.
  expect(light?.messages.length).toBeLessThanOrEqual(1);
  expect(JSON.stringify(light?.messages)).not.toContain('turn 0');
  expect(light?.system).toEqual([]);
  expect(light?.reasoning).toEqual(full.reasoning);
  expect(reasoningFloorOf(light)).toBe(reasoningFloorOf(full));
  expect(reasoningFloorOf(light)).toBeGreaterThan(0);
  expect(light?.tools).toEqual(full.tools);
  // The body the stream holds on to is the light copy: the client's body is untouched.
  expect(Array.isArray(body.messages ?? body.input ?? body.contents)).toBe(true);
});

it('decodes the light request once, on first use, and gives undefined for a body that does not decode', () => {
  const clientCodec = codecFor('anthropic');
  let decodes = 0;
  const counting = { ...clientCodec, decodeRequest: (body: unknown, route: RouteInfo) => (decodes++, clientCodec.decodeRequest(body, route)) };
  const light = lightRequestOf({ clientCodec: counting, route: {}, body: { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, stream: true });
  expect(decodes).toBe(0);
  light();
  light();
  expect(decodes).toBe(1);
  expect(lightRequestOf({ clientCodec, route: {}, body: { model: 'm', max_tokens: 'many' }, stream: true })()).toBeUndefined();
});
