/**
 * The one error type of the relay. Every failure becomes a RelayError, and each codec maps it to its
 * own wire shape in exactly one place (codec.encodeError). The kind decides the shape; `status` is the
 * HTTP status the client sees.
 */
export const ERROR_KINDS = [
  'invalid_request', // 400
  'unsupported_feature', // 400: the target format cannot carry what the client sent
  'authentication', // 401
  'insufficient_quota', // 402/429: prepaid balance exhausted
  'permission', // 403
  'not_found', // 404 (unknown path)
  'model_not_found', // 404 (unknown model)
  'request_too_large', // 413
  'rate_limit', // 429
  'api_error', // 500 and other 5xx
  'overloaded', // 503 / 529
  'timeout', // 504
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface RelayErrorOptions {
  /** Seconds the client should wait, sent as retry-after. */
  retryAfterSeconds?: number;
  /** The parameter the error is about, when known (OpenAI `param`). */
  param?: string;
  /** A format-specific code to keep (OpenAI `code`, Gemini ErrorInfo reason). */
  code?: string;
  /** The upstream's status when the error came from an upstream. */
  upstreamStatus?: number;
  cause?: unknown;
}

export class RelayError extends Error {
  override readonly name = 'RelayError';
  readonly retryAfterSeconds?: number;
  readonly param?: string;
  readonly code?: string;
  readonly upstreamStatus?: number;

  constructor(
    readonly kind: ErrorKind,
    readonly status: number,
    message: string,
    options: RelayErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.param = options.param;
    this.code = options.code;
    this.upstreamStatus = options.upstreamStatus;
  }
}

export const invalidRequest = (message: string, param?: string): RelayError =>
  new RelayError('invalid_request', 400, message, { param });

export const unsupportedFeature = (message: string): RelayError =>
  new RelayError('unsupported_feature', 400, message);

/** The default HTTP status for a kind, used when an upstream status must be mapped onto a kind. */
export const defaultStatusFor = (kind: ErrorKind): number => {
  switch (kind) {
    case 'invalid_request':
    case 'unsupported_feature':
      return 400;
    case 'authentication':
      return 401;
    case 'insufficient_quota':
      return 429;
    case 'permission':
      return 403;
    case 'not_found':
    case 'model_not_found':
      return 404;
    case 'request_too_large':
      return 413;
    case 'rate_limit':
      return 429;
    case 'api_error':
      return 500;
    case 'overloaded':
      return 503;
    case 'timeout':
      return 504;
  }
};

/** Maps an upstream HTTP status to a kind when the upstream body says nothing more precise. */
export const kindForStatus = (status: number): ErrorKind => {
  if (status === 400 || status === 422) return 'invalid_request';
  if (status === 401) return 'authentication';
  if (status === 402) return 'insufficient_quota';
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit';
  if (status === 503 || status === 529) return 'overloaded';
  if (status === 504 || status === 408) return 'timeout';
  if (status >= 500) return 'api_error';
  return 'invalid_request';
};

export const toRelayError = (error: unknown): RelayError =>
  error instanceof RelayError
    ? error
    : new RelayError('api_error', 500, 'internal relay error', { cause: error });
