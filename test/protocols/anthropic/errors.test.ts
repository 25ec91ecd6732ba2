import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import type { ErrorKind } from '../../../src/errors';
import { anthropicCodec } from '../../../src/protocols/anthropic';

const decode = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  anthropicCodec.decodeError(status, typeof body === 'string' ? body : JSON.stringify(body), new Headers(headers));

const errorBody = (type: string, message: string) => ({ type: 'error', error: { type, message }, request_id: 'req_up' });

describe('encodeError (RelayError → Anthropic error response)', () => {
  it('uses the Anthropic shape, the request id, and retry headers', () => {
    const encoded = anthropicCodec.encodeError(
      new RelayError('rate_limit', 429, 'gemini: You exceeded your current quota, please check your plan.', { retryAfterSeconds: 34.4 }),
      'req_relay_9',
    );
    expect(encoded).toEqual({
      status: 429,
      headers: { 'retry-after': '35', 'retry-after-ms': '34400' },
      body: {
        type: 'error',
        error: { type: 'rate_limit_error', message: 'gemini: You exceeded your current quota, please check your plan.' },
        request_id: 'req_relay_9',
      },
    });
  });

  it('maps every kind onto the C type table, overloaded as 529', () => {
    const cases: Array<[ErrorKind, number, number, string]> = [
      ['invalid_request', 400, 400, 'invalid_request_error'],
      ['unsupported_feature', 400, 400, 'invalid_request_error'],
      ['authentication', 401, 401, 'authentication_error'],
      ['insufficient_quota', 402, 402, 'billing_error'],
      ['permission', 403, 403, 'permission_error'],
      ['not_found', 404, 404, 'not_found_error'],
      ['model_not_found', 404, 404, 'not_found_error'],
      ['request_too_large', 413, 413, 'request_too_large'],
      ['rate_limit', 429, 429, 'rate_limit_error'],
      ['api_error', 500, 500, 'api_error'],
      ['overloaded', 503, 529, 'overloaded_error'],
      ['timeout', 504, 504, 'timeout_error'],
    ];
    for (const [kind, status, expectedStatus, type] of cases) {
      const encoded = anthropicCodec.encodeError(new RelayError(kind, status, 'm'), 'r');
      expect([kind, encoded.status, (encoded.body as { error: { type: string } }).error.type, encoded.headers]).toEqual([kind, expectedStatus, type, {}]);
    }
  });
});

describe('decodeError (upstream Anthropic error → RelayError)', () => {
  it('E6: 529 overloaded ⇒ kind overloaded, vendor-prefixed message', () => {
    const error = decode(529, errorBody('overloaded_error', 'Overloaded'));
    expect([error.kind, error.status, error.upstreamStatus, error.message]).toEqual(['overloaded', 503, 529, 'anthropic: Overloaded']);
  });

  it('keeps the status class and reads retry-after', () => {
    const limited = decode(429, errorBody('rate_limit_error', 'Number of requests has exceeded your rate limit'), { 'retry-after': '20' });
    expect([limited.kind, limited.status, limited.retryAfterSeconds]).toEqual(['rate_limit', 429, 20]);
    expect(decode(401, errorBody('authentication_error', 'invalid x-api-key')).kind).toBe('authentication');
    expect(decode(400, errorBody('invalid_request_error', 'messages: Field required'))).toMatchObject({ kind: 'invalid_request', status: 400 });
    expect(decode(402, errorBody('billing_error', 'no credit'))).toMatchObject({ kind: 'insufficient_quota', status: 402 });
    expect(decode(404, errorBody('not_found_error', 'model: x'))).toMatchObject({ kind: 'not_found', status: 404 });
    expect(decode(413, errorBody('request_too_large', 'too big'))).toMatchObject({ kind: 'request_too_large', status: 413 });
    expect(decode(504, errorBody('timeout_error', 'slow'))).toMatchObject({ kind: 'timeout', status: 504 });
    // A type that contradicts the status class never flips 4xx ↔ 5xx.
    expect(decode(400, errorBody('api_error', 'odd'))).toMatchObject({ kind: 'invalid_request', status: 400 });
    expect(decode(500, errorBody('invalid_request_error', 'odd'))).toMatchObject({ kind: 'api_error', status: 500 });
  });

  it('copes with bodies that are not Anthropic errors', () => {
    const html = decode(502, '<html>Bad gateway</html>');
    expect([html.kind, html.status, html.message]).toEqual(['api_error', 502, 'anthropic: <html>Bad gateway</html>']);
    expect(decode(503, '').message).toBe('anthropic: HTTP 503');
    expect(decode(503, '').kind).toBe('overloaded');
  });
});
