import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import type { ErrorKind } from '../../../src/errors';
import { decodeResponsesError, encodeResponsesError, relayErrorFromResponsesFailure } from '../../../src/protocols/openai-responses/errors';

describe('encodeResponsesError', () => {
  it('answers each kind with the OpenAI status, type and code', () => {
    const cases: Array<[ErrorKind, number, number, string, string | null]> = [
      ['invalid_request', 400, 400, 'invalid_request_error', null],
      ['unsupported_feature', 400, 400, 'invalid_request_error', null],
      ['authentication', 401, 401, 'invalid_request_error', 'invalid_api_key'],
      ['insufficient_quota', 402, 429, 'insufficient_quota', 'insufficient_quota'],
      ['permission', 403, 403, 'permission_error', null],
      ['model_not_found', 404, 404, 'invalid_request_error', 'model_not_found'],
      ['request_too_large', 413, 413, 'invalid_request_error', null],
      ['rate_limit', 429, 429, 'rate_limit_error', 'rate_limit_exceeded'],
      ['api_error', 502, 502, 'server_error', null],
      ['overloaded', 529, 503, 'server_error', 'server_is_overloaded'],
      ['timeout', 504, 504, 'server_error', 'timeout'],
    ];
    for (const [kind, status, wireStatus, type, code] of cases) {
      const encoded = encodeResponsesError(new RelayError(kind, status, 'msg', { param: 'input' }), 'req_1');
      expect(encoded.status).toBe(wireStatus);
      expect(encoded.body).toEqual({ error: { message: 'msg', type, param: 'input', code } });
    }
  });

  it('sends an Anthropic 529 overloaded as 503 server_is_overloaded, with retry hints when known', () => {
    const encoded = encodeResponsesError(new RelayError('overloaded', 529, 'anthropic: Overloaded', { retryAfterSeconds: 34.4 }), 'req_1');
    expect(encoded).toEqual({
      status: 503,
      body: { error: { message: 'anthropic: Overloaded', type: 'server_error', param: null, code: 'server_is_overloaded' } },
      headers: { 'retry-after': '35', 'retry-after-ms': '34400' },
    });
  });
});

describe('decodeResponsesError', () => {
  it('keeps the upstream status, prefixes the vendor and reads code/param/retry-after', () => {
    const error = decodeResponsesError(
      429,
      JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } }),
      new Headers({ 'retry-after-ms': '1500' }),
    );
    expect(error).toMatchObject({ kind: 'rate_limit', status: 429, message: 'openai: Rate limit reached', code: 'rate_limit_exceeded', retryAfterSeconds: 2, upstreamStatus: 429 });
    expect(decodeResponsesError(429, JSON.stringify({ error: { message: 'quota', type: 'insufficient_quota', code: 'insufficient_quota' } }), new Headers()).kind).toBe(
      'insufficient_quota',
    );
    expect(decodeResponsesError(404, JSON.stringify({ error: { message: 'nope', code: 'model_not_found' } }), new Headers()).kind).toBe('model_not_found');
    expect(decodeResponsesError(400, JSON.stringify({ error: { message: 'bad', param: 'input[0]', code: null } }), new Headers())).toMatchObject({
      kind: 'invalid_request',
      param: 'input[0]',
    });
    expect(decodeResponsesError(502, '<html>Bad gateway</html>', new Headers())).toMatchObject({ kind: 'api_error', status: 502, message: 'openai: <html>Bad gateway</html>' });
    expect(decodeResponsesError(503, '', new Headers()).message).toBe('openai: HTTP 503');
  });

  it('infers a status for in-stream failures from their code', () => {
    expect(relayErrorFromResponsesFailure({ code: 'context_length_exceeded', message: 'too long' })).toMatchObject({ kind: 'invalid_request', status: 400 });
    expect(relayErrorFromResponsesFailure({ code: 'invalid_image_url', message: 'bad image' })).toMatchObject({ kind: 'invalid_request', status: 400 });
    expect(relayErrorFromResponsesFailure({ code: 'server_error', message: 'x' })).toMatchObject({ kind: 'api_error', status: 500 });
    expect(relayErrorFromResponsesFailure(undefined).message).toBe('openai: response failed');
  });
});
