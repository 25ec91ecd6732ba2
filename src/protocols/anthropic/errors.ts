import { defaultStatusFor, kindForStatus, RelayError } from '../../errors';
import type { ErrorKind } from '../../errors';
import type { EncodedError } from '../codec';
import { retryAfterHeaders, retryAfterSecondsFromHeaders } from '../shared/retry-after';
import { anthropicErrorBodySchema } from './response-schema';

/**
 * Anthropic error bodies `{"type":"error","error":{type,message},"request_id"}` ↔ RelayError.
 * The SDK keys on the HTTP status; `error.type` follows the API's table.
 * @see https://docs.anthropic.com/en/api/errors
 */
const ANTHROPIC_VENDOR = 'anthropic';

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

export interface AnthropicErrorObject {
  type: AnthropicErrorType;
  message: string;
}

const anthropicErrorType = (kind: ErrorKind): AnthropicErrorType => {
  switch (kind) {
    case 'invalid_request':
    case 'unsupported_feature':
      return 'invalid_request_error';
    case 'authentication':
      return 'authentication_error';
    case 'insufficient_quota':
      return 'billing_error';
    case 'permission':
      return 'permission_error';
    case 'not_found':
    case 'model_not_found':
      return 'not_found_error';
    case 'request_too_large':
      return 'request_too_large';
    case 'rate_limit':
      return 'rate_limit_error';
    case 'api_error':
      return 'api_error';
    case 'overloaded':
      return 'overloaded_error';
    case 'timeout':
      return 'timeout_error';
  }
};

const KIND_FOR_TYPE: Record<AnthropicErrorType, ErrorKind> = {
  invalid_request_error: 'invalid_request',
  authentication_error: 'authentication',
  billing_error: 'insufficient_quota',
  permission_error: 'permission',
  not_found_error: 'not_found',
  request_too_large: 'request_too_large',
  rate_limit_error: 'rate_limit',
  api_error: 'api_error',
  timeout_error: 'timeout',
  overloaded_error: 'overloaded',
};

const isAnthropicErrorType = (type: string): type is AnthropicErrorType => Object.hasOwn(KIND_FOR_TYPE, type);

const isServerStatus = (status: number): boolean => status >= 500;

/** 529 is Anthropic's own "overloaded"; the IR carries 503 so other client formats see a status they know. */
const normalizeStatus = (status: number): number => (status === 529 ? 503 : status);

/**
 * A kind for an Anthropic error type, when one is known and agrees with the status class: an
 * upstream 4xx never becomes a 5xx kind or the reverse (retry storms / lost retries).
 */
const kindFor = (status: number, type: string | null | undefined): ErrorKind => {
  const byStatus = kindForStatus(status);
  if (type === null || type === undefined || !isAnthropicErrorType(type)) return byStatus;
  const byType = KIND_FOR_TYPE[type];
  return isServerStatus(defaultStatusFor(byType)) === isServerStatus(status) ? byType : byStatus;
};

/** An error the relay must report in Anthropic's shape (HTTP answer before the first byte). */
export const encodeAnthropicError = (error: RelayError, requestId: string): EncodedError => {
  const type = anthropicErrorType(error.kind);
  // Anthropic clients know 529 as "overloaded" (Claude Code shows it as such and retries).
  const status = error.kind === 'overloaded' ? 529 : error.status;
  return {
    status,
    body: { type: 'error', error: { type, message: error.message }, request_id: requestId },
    headers: retryAfterHeaders(error.retryAfterSeconds),
  };
};

/** The in-stream `event: error` payload (no request id: the SDK reads only type and message). */
export const anthropicStreamErrorPayload = (error: RelayError): { type: 'error'; error: AnthropicErrorObject } => ({
  type: 'error',
  error: { type: anthropicErrorType(error.kind), message: error.message },
});

/** An upstream error in Anthropic's shape (HTTP body or in-stream `error` event) → RelayError. */
export const anthropicRelayError = (
  status: number,
  type: string | null | undefined,
  message: string,
  retryAfterSeconds?: number,
): RelayError =>
  new RelayError(kindFor(status, type), normalizeStatus(status), `${ANTHROPIC_VENDOR}: ${message}`, {
    upstreamStatus: status,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });

/** Status for an in-stream error type, which arrives after HTTP 200 and so carries no status. */
export const anthropicStatusForType = (type: string | null | undefined): number => {
  if (type === 'overloaded_error') return 529;
  if (type === 'billing_error') return 402;
  if (type === 'request_too_large') return 413;
  if (type !== null && type !== undefined && isAnthropicErrorType(type)) return defaultStatusFor(KIND_FOR_TYPE[type]);
  return 500;
};

export const decodeAnthropicError = (status: number, body: string, headers: Headers): RelayError => {
  const retryAfter = retryAfterSecondsFromHeaders(headers);
  let parsedBody: unknown;
  try {
    parsedBody = JSON.parse(body);
  } catch {
    parsedBody = undefined;
  }
  const parsed = anthropicErrorBodySchema.safeParse(parsedBody);
  if (parsed.success) {
    const message = parsed.data.error.message ?? parsed.data.error.type ?? `HTTP ${status}`;
    return anthropicRelayError(status, parsed.data.error.type, message, retryAfter);
  }
  const snippet = body.trim().slice(0, 200);
  return anthropicRelayError(status, undefined, snippet === '' ? `HTTP ${status}` : snippet, retryAfter);
};
