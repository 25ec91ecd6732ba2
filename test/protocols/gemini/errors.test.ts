import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/errors';
import { decodeGeminiError, encodeGeminiError, parseGeminiRetryDelay } from '../../../src/protocols/gemini/errors';

const body = (error: Record<string, unknown>) => JSON.stringify({ error });

describe('encodeGeminiError', () => {
  it('E6: an Anthropic 529 reaches a Gemini client as 503 UNAVAILABLE', () => {
    const encoded = encodeGeminiError(new RelayError('overloaded', 529, 'anthropic: Overloaded'), 'req_1');
    expect(encoded).toEqual({ status: 503, body: { error: { code: 503, message: 'anthropic: Overloaded', status: 'UNAVAILABLE' } } });
  });

  it('maps every kind to its status, and retry-after to a header and RetryInfo', () => {
    const cases: Array<[RelayError, number, string]> = [
      [new RelayError('invalid_request', 400, 'x'), 400, 'INVALID_ARGUMENT'],
      [new RelayError('unsupported_feature', 400, 'x'), 400, 'INVALID_ARGUMENT'],
      [new RelayError('authentication', 401, 'x'), 401, 'UNAUTHENTICATED'],
      [new RelayError('insufficient_quota', 402, 'x'), 429, 'RESOURCE_EXHAUSTED'],
      [new RelayError('permission', 403, 'x'), 403, 'PERMISSION_DENIED'],
      [new RelayError('model_not_found', 404, 'x'), 404, 'NOT_FOUND'],
      [new RelayError('request_too_large', 413, 'x'), 400, 'INVALID_ARGUMENT'],
      [new RelayError('api_error', 500, 'x'), 500, 'INTERNAL'],
      [new RelayError('timeout', 504, 'x'), 504, 'DEADLINE_EXCEEDED'],
    ];
    for (const [error, status, canonical] of cases) {
      const encoded = encodeGeminiError(error, 'r');
      expect([encoded.status, (encoded.body as { error: { status: string } }).error.status]).toEqual([status, canonical]);
    }
    const limited = encodeGeminiError(new RelayError('rate_limit', 429, 'slow', { retryAfterSeconds: 35 }), 'r');
    expect(limited.headers).toEqual({ 'retry-after': '35' });
    expect(limited.body).toEqual({
      error: { code: 429, message: 'slow', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '35s' }] },
    });
  });
});

describe('decodeGeminiError', () => {
  it('E6: 429 with RetryInfo 34.4s ⇒ rate_limit, retry after 35 s, message prefixed', () => {
    const error = decodeGeminiError(
      429,
      body({
        code: 429,
        message: 'You exceeded your current quota, please check your plan.',
        status: 'RESOURCE_EXHAUSTED',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [] },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34.4s' },
        ],
      }),
      new Headers(),
    );
    expect([error.kind, error.status, error.retryAfterSeconds, error.message]).toEqual([
      'rate_limit',
      429,
      35,
      'gemini: You exceeded your current quota, please check your plan.',
    ]);
  });

  it('a bad API key (400 API_KEY_INVALID) is authentication 401', () => {
    const error = decodeGeminiError(
      400,
      body({ code: 400, message: 'API key not valid.', status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }] }),
      new Headers(),
    );
    expect([error.kind, error.status, error.code]).toEqual(['authentication', 401, 'API_KEY_INVALID']);
  });

  it('keeps the upstream status class; reads retry-after headers, arrays and non-JSON bodies', () => {
    expect(decodeGeminiError(503, body({ code: 503, message: 'overloaded', status: 'UNAVAILABLE' }), new Headers()).kind).toBe('overloaded');
    expect(decodeGeminiError(500, body({ code: 500, message: 'x', status: 'INTERNAL' }), new Headers()).status).toBe(500);
    expect(decodeGeminiError(404, body({ code: 404, message: 'models/nope is not found', status: 'NOT_FOUND' }), new Headers()).kind).toBe('model_not_found');
    expect(decodeGeminiError(403, `[${body({ code: 403, message: 'denied', status: 'PERMISSION_DENIED' })}]`, new Headers()).message).toBe('gemini: denied');
    const html = decodeGeminiError(502, '<html>Bad Gateway</html>', new Headers({ 'retry-after': '7' }));
    expect([html.kind, html.status, html.retryAfterSeconds, html.message]).toEqual(['api_error', 502, 7, 'gemini: <html>Bad Gateway</html>']);
    expect(decodeGeminiError(400, '', new Headers()).message).toBe('gemini: HTTP 400');
  });

  it('parses protobuf durations', () => {
    expect(parseGeminiRetryDelay('34.4s')).toBe(35);
    expect(parseGeminiRetryDelay('2s')).toBe(2);
    expect(parseGeminiRetryDelay('soon')).toBeUndefined();
  });
});
