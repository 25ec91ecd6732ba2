import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import type { ErrorKind } from '../../../src/errors';
import {
  decodeOpenAIChatError,
  encodeOpenAIChatError,
  relayErrorFromOpenAIChatStreamError,
} from '../../../src/protocols/openai-chat/errors';
import legacyParameterError from '../../fixtures/openai-chat/reasoning-model-legacy-parameter-error.json?raw';

describe('encodeOpenAIChatError', () => {
  it('E6: an Anthropic 529 overloaded reaches an OpenAI client as 503 server_is_overloaded', () => {
    expect(encodeOpenAIChatError(new RelayError('overloaded', 529, 'anthropic: Overloaded'), 'req_1')).toEqual({
      status: 503,
      body: { error: { message: 'anthropic: Overloaded', type: 'server_error', param: null, code: 'server_is_overloaded' } },
    });
  });

  it.each<[ErrorKind, number, number, string, string | null]>([
    ['invalid_request', 400, 400, 'invalid_request_error', null],
    ['unsupported_feature', 400, 400, 'invalid_request_error', null],
    ['authentication', 401, 401, 'invalid_request_error', 'invalid_api_key'],
    ['insufficient_quota', 402, 429, 'insufficient_quota', 'insufficient_quota'],
    ['permission', 403, 403, 'permission_error', null],
    ['not_found', 404, 404, 'invalid_request_error', null],
    ['model_not_found', 404, 404, 'invalid_request_error', 'model_not_found'],
    ['request_too_large', 413, 413, 'invalid_request_error', null],
    ['rate_limit', 429, 429, 'rate_limit_error', 'rate_limit_exceeded'],
    ['api_error', 502, 502, 'server_error', null],
    ['overloaded', 503, 503, 'server_error', 'server_is_overloaded'],
    ['timeout', 504, 504, 'server_error', 'timeout'],
  ])('%s %d → HTTP %d %s / %s', (kind, status, wireStatus, type, code) => {
    const encoded = encodeOpenAIChatError(new RelayError(kind, status, 'msg', { param: 'p' }), 'req');
    expect(encoded.status).toBe(wireStatus);
    expect(encoded.body).toEqual({ error: { message: 'msg', type, param: 'p', code } });
  });

  it('sends retry-after and retry-after-ms when a wait is known', () => {
    const encoded = encodeOpenAIChatError(new RelayError('rate_limit', 429, 'slow down', { retryAfterSeconds: 35 }), 'req');
    expect(encoded.headers).toEqual({ 'retry-after': '35', 'retry-after-ms': '35000' });
  });

  it('is read by openai-node as the right error class with the message', async () => {
    const encoded = encodeOpenAIChatError(new RelayError('rate_limit', 429, 'gemini: quota', { retryAfterSeconds: 1 }), 'req');
    const client = new OpenAI({
      apiKey: 'sk-test',
      baseURL: 'http://relay.test/v1',
      maxRetries: 0,
      fetch: async () => new Response(JSON.stringify(encoded.body), { status: encoded.status, headers: { 'content-type': 'application/json', ...encoded.headers } }),
    });
    const failure = client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    await expect(failure).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(failure).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
  });
});

describe('decodeOpenAIChatError', () => {
  it('reads the recorded unsupported_parameter 400, keeping param and code', () => {
    const error = decodeOpenAIChatError(400, legacyParameterError, new Headers());
    expect(error.kind).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.upstreamStatus).toBe(400);
    expect(error.param).toBe('max_tokens');
    expect(error.code).toBe('unsupported_parameter');
    expect(error.message).toBe("openai: Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.");
  });

  it('tells insufficient_quota from rate limiting, and reads retry-after-ms / retry-after', () => {
    const quota = decodeOpenAIChatError(
      429,
      '{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}',
      new Headers(),
    );
    expect(quota.kind).toBe('insufficient_quota');
    expect(quota.status).toBe(429);
    const limited = decodeOpenAIChatError(429, '{"error":{"message":"Rate limit","type":"requests","code":"rate_limit_exceeded"}}', new Headers({ 'retry-after-ms': '1500' }));
    expect(limited.kind).toBe('rate_limit');
    expect(limited.retryAfterSeconds).toBe(2);
    expect(decodeOpenAIChatError(429, '{}', new Headers({ 'retry-after': '7' })).retryAfterSeconds).toBe(7);
  });

  it('keeps 4xx as 4xx and 5xx as 5xx, with non-JSON and compatible-server bodies', () => {
    const notFound = decodeOpenAIChatError(404, '{"error":{"message":"The model `x` does not exist","type":"invalid_request_error","code":"model_not_found"}}', new Headers());
    expect([notFound.kind, notFound.status]).toEqual(['model_not_found', 404]);
    const auth = decodeOpenAIChatError(401, '{"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}}', new Headers());
    expect([auth.kind, auth.status]).toEqual(['authentication', 401]);
    const gateway = decodeOpenAIChatError(502, '<html>Bad gateway</html>', new Headers());
    expect([gateway.kind, gateway.status, gateway.message]).toEqual(['api_error', 502, 'openai: <html>Bad gateway</html>']);
    expect(decodeOpenAIChatError(503, '', new Headers()).message).toBe('openai: HTTP 503');
    expect(decodeOpenAIChatError(500, '{"error":"engine crashed"}', new Headers()).message).toBe('openai: engine crashed');
    expect(decodeOpenAIChatError(422, '{"detail":"bad field"}', new Headers())).toMatchObject({ kind: 'invalid_request', status: 422, message: 'openai: bad field' });
  });
});

describe('relayErrorFromOpenAIChatStreamError', () => {
  it.each<[Record<string, unknown>, ErrorKind, number]>([
    [{ message: 'm', type: 'insufficient_quota', code: 'insufficient_quota' }, 'insufficient_quota', 429],
    [{ message: 'm', type: 'tokens', code: 'rate_limit_exceeded' }, 'rate_limit', 429],
    [{ message: 'm', type: 'server_error', code: 'server_is_overloaded' }, 'overloaded', 503],
    [{ message: 'm', type: 'invalid_request_error', code: 'context_length_exceeded' }, 'invalid_request', 400],
    [{ message: 'm', type: 'server_error' }, 'api_error', 500],
  ])('%j → %s %d', (object, kind, status) => {
    const error = relayErrorFromOpenAIChatStreamError(object);
    expect([error.kind, error.status, error.message]).toEqual([kind, status, 'openai: m']);
  });
});
