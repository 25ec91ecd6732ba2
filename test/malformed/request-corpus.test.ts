import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKey, callRelay } from '../setup/seed';
import { CHAT, COUNT_GEMINI, COUNT_TOKENS, GENERATE, GENERATION_ENDPOINTS, MESSAGES, RESPONSES, STREAM_GENERATE, type Endpoint } from './endpoints';
import { assertNoLeak, callRelayWith, expectCallerError, installTranslationUpstreams, seedProviders } from './harness';

/** A status, a set of acceptable statuses, or 'ok-or-400': accepted or refused, but never a 5xx. */
type Expected = number | number[] | 'ok-or-400';
type Mutation = (body: Record<string, unknown>) => Record<string, unknown>;
type FieldCase = readonly [name: string, mutate: Mutation, expected: Expected];

const set = (field: string, value: unknown): Mutation => (body) => ({ ...body, [field]: value });
const without = (field: string): Mutation => (body) => {
  const copy = { ...body };
  delete copy[field];
  return copy;
};
const nested = (depth: number): unknown => {
  let value: unknown = { type: 'string' };
  for (let i = 0; i < depth; i += 1) value = { type: 'object', properties: { x: value } };
  return value;
};

/** Bodies that are not a JSON object at all: the same 400 on every endpoint. */
const RAW_BODIES: ReadonlyArray<readonly [string, BodyInit]> = [
  ['empty body', ''],
  ['whitespace body', '  \n '],
  ['truncated JSON', '{"model":"mock-1","messages":[{"role":"user","content":"hi"'],
  ['dangling key', '{"model":'],
  ['single quote JSON', "{'model':'mock-1'}"],
  ['trailing garbage', '{"model":"mock-1"} trailing'],
  ['two objects', '{"a":1}{"b":2}'],
  ['JSON null', 'null'],
  ['JSON array', '[{"model":"mock-1"}]'],
  ['JSON number', '42'],
  ['JSON string', '"hello"'],
  ['JSON true', 'true'],
  ['NaN literal', 'NaN'],
  ['form-encoded body', 'model=mock-1&messages=hi'],
  ['invalid UTF-8 bytes', new Uint8Array([0x7b, 0xff, 0xfe, 0x22, 0x7d])],
  ['deeply nested arrays (100k)', '['.repeat(100_000) + ']'.repeat(100_000)],
  ['deeply nested objects (20k)', '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000)],
];

const COMMON_MODEL_CASES: FieldCase[] = [
  ['model unknown', set('model', 'no-such-model-anywhere'), 404],
  ['extra field nested 6000 levels', set('metadata_extra', nested(3000)), 400],
  ['extra field nested 60 levels', set('metadata_extra', nested(30)), 200],
];

const BODY_MODEL_CASES: FieldCase[] = [
  ['model missing', without('model'), 400],
  ['model number', set('model', 42), 400],
  ['model null', set('model', null), 400],
  ['model empty', set('model', ''), 400],
  ['model array', set('model', ['mock-1']), 400],
  ['model object', set('model', { name: 'mock-1' }), 400],
];

const weatherTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } };
const CHAT_CASES: FieldCase[] = [
  ...BODY_MODEL_CASES,
  ['messages missing', without('messages'), 400],
  ['messages string', set('messages', 'hi'), 400],
  ['messages object', set('messages', { role: 'user', content: 'hi' }), 400],
  ['messages empty', set('messages', []), 400],
  ['messages [null]', set('messages', [null]), 400],
  ['messages [42]', set('messages', [42]), 400],
  ['role unknown', set('messages', [{ role: 'wizard', content: 'hi' }]), 400],
  ['role missing', set('messages', [{ content: 'hi' }]), 400],
  ['content number', set('messages', [{ role: 'user', content: 42 }]), 400],
  ['content object', set('messages', [{ role: 'user', content: { text: 'hi' } }]), 400],
  ['content part unknown type', set('messages', [{ role: 'user', content: [{ type: 'hologram', hologram: {} }] }]), 400],
  ['content part without type', set('messages', [{ role: 'user', content: [{ text: 'hi' }] }]), 400],
  ['image data URL bad base64', set('messages', [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,@@not base64@@' } }] }]), 400],
  ['image data URL without base64', set('messages', [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png,rawbytes' } }] }]), 400],
  ['image data URL not an image', set('messages', [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:text/html;base64,PGI+aGk8L2I+' } }] }]), 400],
  ['image URL not a URL', set('messages', [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'not a url' } }] }]), 400],
  ['image URL file scheme', set('messages', [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }]), 400],
  ['image_url without url', set('messages', [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }]), 400],
  ['tool message without tool_call_id', set('messages', [{ role: 'tool', content: 'x' }]), 400],
  ['max_tokens negative', set('max_tokens', -1), 400],
  // 0 is passed on: Anthropic takes it (cache pre-warm) and the relay does not second-guess other upstreams.
  ['max_tokens zero', set('max_tokens', 0), 'ok-or-400'],
  ['max_tokens string', set('max_tokens', '10'), 400],
  ['max_tokens fractional', set('max_tokens', 1.5), 400],
  ['max_tokens huge', set('max_tokens', 1e20), 400],
  ['max_completion_tokens negative', set('max_completion_tokens', -5), 400],
  ['temperature above 2', set('temperature', 5), 400],
  ['temperature negative', set('temperature', -1), 400],
  ['temperature string', set('temperature', 'hot'), 400],
  ['top_p above 1', set('top_p', 1.5), 400],
  ['presence_penalty above 2', set('presence_penalty', 3), 400],
  ['n zero', set('n', 0), 400],
  ['stream string', set('stream', 'yes'), 400],
  ['stream number', set('stream', 1), 400],
  ['stream_options string', set('stream_options', 'usage'), 400],
  ['tools string', set('tools', 'get_weather'), 400],
  ['tools [{}]', set('tools', [{}]), 400],
  ['tool function without name', set('tools', [{ type: 'function', function: { parameters: {} } }]), 400],
  ['tool name not a string', set('tools', [{ type: 'function', function: { name: 7 } }]), 400],
  ['tool parameters not an object', set('tools', [{ type: 'function', function: { name: 'f', parameters: 'x' } }]), 400],
  ['tool_choice names an unknown tool', (body) => ({ ...body, tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'launch_missiles' } } }), 400],
  ['tool_choice names a tool with no tools', set('tool_choice', { type: 'function', function: { name: 'get_weather' } }), 400],
  ['tool_choice unknown string', set('tool_choice', 'sometimes'), 400],
  ['response_format unknown type', set('response_format', { type: 'yaml' }), 200],
  ['reasoning_effort unknown', set('reasoning_effort', 'ultra'), 200],
  ['stop not strings', set('stop', [1, 2]), 400],
  ['NUL byte in content', set('messages', [{ role: 'user', content: 'a\u0000b' }]), 200],
  ['lone surrogate in content', set('messages', [{ role: 'user', content: 'a\ud800b' }]), 'ok-or-400'],
  ['assistant tool_call arguments not JSON', set('messages', [
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{not json' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
  ]), 'ok-or-400'],
  ['tool result for an unknown call', set('messages', [{ role: 'user', content: 'hi' }, { role: 'tool', tool_call_id: 'call_nope', content: 'x' }]), 'ok-or-400'],
];

const RESPONSES_CASES: FieldCase[] = [
  ...BODY_MODEL_CASES,
  ['input missing', without('input'), 400],
  ['input number', set('input', 42), 400],
  ['input object', set('input', { role: 'user', content: 'hi' }), 400],
  ['input [null]', set('input', [null]), 400],
  ['input item of unknown role', set('input', [{ role: 'wizard', content: 'hi' }]), 400],
  ['input content part of unknown type', set('input', [{ role: 'user', content: [{ type: 'input_hologram' }] }]), 400],
  ['input_image bad data URL', set('input', [{ role: 'user', content: [{ type: 'input_image', image_url: 'data:image/png;base64,@@@' }] }]), 400],
  ['input_image file scheme', set('input', [{ role: 'user', content: [{ type: 'input_image', image_url: 'file:///etc/passwd' }] }]), 400],
  ['max_output_tokens negative', set('max_output_tokens', -1), 400],
  ['max_output_tokens zero', set('max_output_tokens', 0), 400],
  ['max_output_tokens string', set('max_output_tokens', 'many'), 400],
  ['temperature above 2', set('temperature', 5), 400],
  ['top_p above 1', set('top_p', 7), 400],
  ['stream string', set('stream', 'true'), 400],
  ['tools string', set('tools', 'x'), 400],
  ['function tool without name', set('tools', [{ type: 'function', parameters: {} }]), 400],
  ['tool_choice names an unknown tool', (body) => ({ ...body, tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} } }], tool_choice: { type: 'function', name: 'launch_missiles' } }), 400],
  ['reasoning effort unknown', set('reasoning', { effort: 'ultra' }), 200],
  ['previous_response_id unknown', set('previous_response_id', 'resp_doesnotexist'), [400, 404]],
  ['NUL byte in input', set('input', 'a\u0000b'), 200],
];

const anthropicTool = { name: 'get_weather', input_schema: { type: 'object', properties: {} } };
const MESSAGES_CONTENT_CASES: FieldCase[] = [
  ...BODY_MODEL_CASES,
  ['messages missing', without('messages'), 400],
  ['messages string', set('messages', 'hi'), 400],
  ['messages empty', set('messages', []), 400],
  ['messages [null]', set('messages', [null]), 400],
  ['role unknown', set('messages', [{ role: 'wizard', content: 'hi' }]), 400],
  ['content number', set('messages', [{ role: 'user', content: 42 }]), 400],
  ['content block unknown type', set('messages', [{ role: 'user', content: [{ type: 'hologram' }] }]), 400],
  ['text block without text', set('messages', [{ role: 'user', content: [{ type: 'text' }] }]), 400],
  ['image base64 not base64', set('messages', [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: '@@not base64@@' } }] }]), 400],
  // Large data is checked at both ends only (a full pass costs ≈2.5 ms/MB): garbage that starts or ends it is refused.
  ['large image base64 with a text head', set('messages', [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'hello, world! ' + 'QUJD'.repeat(4000) } }] }]), 400],
  ['large image base64, valid', set('messages', [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'QUJD'.repeat(4000) } }] }]), 200],
  ['large image base64 with a text tail', set('messages', [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'QUJD'.repeat(4000) + ' not base64!' } }] }]), 400],
  ['image media_type not an image', set('messages', [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'text/html', data: 'PGI+' } }] }]), 400],
  ['image url source file scheme', set('messages', [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'file:///etc/passwd' } }] }]), 400],
  ['image source unknown type', set('messages', [{ role: 'user', content: [{ type: 'image', source: { type: 'ftp', path: '/x' } }] }]), 400],
  ['system number', set('system', 42), 400],
  ['system block unknown type', set('system', [{ type: 'hologram' }]), 400],
  ['temperature above 2', set('temperature', 3), 400],
  ['temperature string', set('temperature', 'warm'), 400],
  ['top_k negative', set('top_k', -1), 400],
  ['stream string', set('stream', 'yes'), 400],
  ['tools string', set('tools', 'x'), 400],
  ['tool without name', set('tools', [{ input_schema: { type: 'object' } }]), 400],
  ['tool_choice names an unknown tool', (body) => ({ ...body, tools: [anthropicTool], tool_choice: { type: 'tool', name: 'launch_missiles' } }), 400],
  ['tool_choice unknown type', set('tool_choice', { type: 'sometimes' }), 400],
  ['thinking budget string', set('thinking', { type: 'enabled', budget_tokens: 'lots' }), 400],
  ['stop_sequences string', set('stop_sequences', 'STOP'), 400],
  ['NUL byte in content', set('messages', [{ role: 'user', content: 'a\u0000b' }]), 200],
  ['lone surrogate in content', set('messages', [{ role: 'user', content: 'a\udc00b' }]), 'ok-or-400'],
];

const MESSAGES_CASES: FieldCase[] = [
  ...MESSAGES_CONTENT_CASES,
  ['max_tokens missing', without('max_tokens'), 400],
  ['max_tokens negative', set('max_tokens', -1), 400],
  ['max_tokens zero (cache pre-warm)', set('max_tokens', 0), 'ok-or-400'],
  ['max_tokens string', set('max_tokens', '100'), 400],
  ['max_tokens huge', set('max_tokens', 1e20), 400],
];

const GEMINI_CONTENT_CASES: FieldCase[] = [
  ['contents missing', without('contents'), 400],
  ['contents string', set('contents', 'hi'), 400],
  ['contents [null]', set('contents', [null]), 400],
  ['parts string', set('contents', [{ role: 'user', parts: 'hi' }]), 400],
  ['role unknown', set('contents', [{ role: 'wizard', parts: [{ text: 'hi' }] }]), 400],
  ['part of unknown kind', set('contents', [{ role: 'user', parts: [{ hologram: {} }] }]), 'ok-or-400'],
  ['text not a string', set('contents', [{ role: 'user', parts: [{ text: 42 }] }]), 400],
  ['inlineData not base64', set('contents', [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: '@@not base64@@' } }] }]), 400],
  ['inlineData without mimeType', set('contents', [{ role: 'user', parts: [{ inlineData: { data: 'AAAA' } }] }]), 400],
  ['fileData file scheme', set('contents', [{ role: 'user', parts: [{ fileData: { mimeType: 'image/png', fileUri: 'file:///etc/passwd' } }] }]), 400],
  ['NUL byte in text', set('contents', [{ role: 'user', parts: [{ text: 'a\u0000b' }] }]), 200],
  ['lone surrogate in text', set('contents', [{ role: 'user', parts: [{ text: 'a\ud800b' }] }]), 'ok-or-400'],
];

/** generateContent only: :countTokens takes contents (or a generateContentRequest), nothing else. */
const GEMINI_CASES: FieldCase[] = [
  ...GEMINI_CONTENT_CASES,
  ['contents empty', set('contents', []), 400],
  ['systemInstruction number', set('systemInstruction', 42), 400],
  ['generationConfig string', set('generationConfig', 'hot'), 400],
  ['temperature above 2', set('generationConfig', { temperature: 5 }), 400],
  ['topP above 1', set('generationConfig', { topP: 3 }), 400],
  ['maxOutputTokens negative', set('generationConfig', { maxOutputTokens: -1 }), 400],
  ['maxOutputTokens zero', set('generationConfig', { maxOutputTokens: 0 }), 'ok-or-400'],
  ['maxOutputTokens string', set('generationConfig', { maxOutputTokens: 'many' }), 400],
  ['candidateCount string', set('generationConfig', { candidateCount: 'two' }), 400],
  ['tools string', set('tools', 'x'), 400],
  ['function declaration without name', set('tools', [{ functionDeclarations: [{ description: 'x' }] }]), 400],
  ['function calling mode unknown', set('toolConfig', { functionCallingConfig: { mode: 'SOMETIMES' } }), 200],
  ['allowedFunctionNames names an unknown tool', (body) => ({ ...body, tools: [{ functionDeclarations: [{ name: 'get_weather' }] }], toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['launch_missiles'] } } }), 400],
];

const FIELD_CASES = new Map<Endpoint, FieldCase[]>([
  [CHAT, CHAT_CASES],
  [RESPONSES, RESPONSES_CASES],
  [MESSAGES, MESSAGES_CASES],
  [COUNT_TOKENS, MESSAGES_CONTENT_CASES],
  [GENERATE, GEMINI_CASES],
  [STREAM_GENERATE, GEMINI_CASES],
  [COUNT_GEMINI, GEMINI_CONTENT_CASES],
]);

let key = '';
beforeAll(async () => {
  await seedProviders();
  key = (await createKey({ name: 'malformed corpus' })).key;
});
beforeEach(() => installTranslationUpstreams());

const post = (endpoint: Endpoint, model: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> =>
  callRelay(endpoint.path(model), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...endpoint.headers, ...endpoint.auth(key), ...headers },
    body,
  });

const check = async (response: Response, endpoint: Endpoint, expected: Expected): Promise<void> => {
  if (expected === 'ok-or-400') {
    if (response.status === 200) {
      assertNoLeak(await response.text());
      return;
    }
    await expectCallerError(response, endpoint.shape, 400);
    return;
  }
  const statuses = Array.isArray(expected) ? expected : [expected];
  if (statuses.includes(200) && response.status === 200) {
    assertNoLeak(await response.text());
    return;
  }
  const status = statuses.includes(response.status) ? response.status : statuses[0] ?? 400;
  await expectCallerError(response, endpoint.shape, status);
};

describe.each(GENERATION_ENDPOINTS)('$name: bodies that are not a JSON object', (endpoint) => {
  it.each(RAW_BODIES)('%s → 400 in the caller shape', async (_name, body) => {
    await expectCallerError(await post(endpoint, 'mock-1', body), endpoint.shape, 400);
  });

  it('a body over MAX_BODY_BYTES → 413 (Gemini: 400), with and without a content-length', async () => {
    const small = { ...env, MAX_BODY_BYTES: '2048' };
    const status = endpoint.shape === 'gemini' ? 400 : 413;
    const big = JSON.stringify({ ...endpoint.body('mock-1'), padding: 'x'.repeat(4096) });
    const init = (body: BodyInit): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json', ...endpoint.headers, ...endpoint.auth(key) }, body });
    await expectCallerError(await callRelayWith(small, endpoint.path('mock-1'), init(big)), endpoint.shape, status);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 8; i += 1) controller.enqueue(new TextEncoder().encode(i === 0 ? big.slice(0, 1024) : 'x'.repeat(1024)));
        controller.close();
      },
    });
    await expectCallerError(await callRelayWith(small, endpoint.path('mock-1'), { ...init(chunked), duplex: 'half' } as RequestInit), endpoint.shape, status);
  });

  it('a valid body under a non-JSON content-type is still read as JSON', async () => {
    const response = await post(endpoint, 'mock-1', JSON.stringify(endpoint.body('mock-1')), { 'content-type': 'text/plain' });
    expect(response.status).toBe(200);
    assertNoLeak(await response.text());
  });
});

describe.each(GENERATION_ENDPOINTS)('$name: malformed fields', (endpoint) => {
  const cases = [...COMMON_MODEL_CASES, ...(FIELD_CASES.get(endpoint) ?? [])];
  for (const model of ['mock-1', endpoint.translatedModel]) {
    it.each(cases)(`${model}: %s`, async (_name, mutate, expected) => {
      const body = mutate(endpoint.body(model));
      // Gemini names the model in the path only.
      const pathModel = typeof body.model === 'string' ? body.model : model;
      if (endpoint.shape === 'gemini') delete body.model;
      await check(await post(endpoint, pathModel, JSON.stringify(body)), endpoint, expected);
    });
  }
});
