import { kindForStatus, RelayError } from '../../errors';
import type { ErrorKind } from '../../errors';
import type { EncodedError } from '../codec';
import { retryAfterHeaders, retryAfterSecondsFromHeaders } from '../shared/retry-after';
import { responsesErrorBodySchema } from './schema';
import type { ResponsesErrorObjectWire } from './schema';

/**
 * OpenAI error bodies `{"error":{message,type,param,code}}` ↔ RelayError; the same rules as Chat
 * Completions (PROTOCOLS §3.9). openai-node keys on the HTTP status, Codex CLI on `error.code` of a
 * `response.failed` event, so both are kept right.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
const VENDOR = 'openai';

export interface ResponsesErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

interface WireShape {
  status: number;
  type: string;
  code: string | null;
}

const wireShapeFor = (error: RelayError): WireShape => {
  const code = error.code ?? null;
  switch (error.kind) {
    case 'invalid_request':
    case 'unsupported_feature':
    case 'request_too_large':
    case 'not_found':
      return { status: error.status, type: 'invalid_request_error', code };
    case 'model_not_found':
      return { status: error.status, type: 'invalid_request_error', code: code ?? 'model_not_found' };
    case 'authentication':
      return { status: error.status, type: 'invalid_request_error', code: code ?? 'invalid_api_key' };
    case 'insufficient_quota':
      // OpenAI reports an exhausted balance as 429 insufficient_quota; this API has no 402.
      return { status: 429, type: 'insufficient_quota', code: 'insufficient_quota' };
    case 'permission':
      return { status: error.status, type: 'permission_error', code };
    case 'rate_limit':
      return { status: error.status, type: 'rate_limit_error', code: code ?? 'rate_limit_exceeded' };
    case 'api_error':
      return { status: error.status, type: 'server_error', code };
    case 'overloaded':
      // 529 is Anthropic's own status; OpenAI clients know 503.
      return { status: error.status === 529 ? 503 : error.status, type: 'server_error', code: code ?? 'server_is_overloaded' };
    case 'timeout':
      return { status: error.status, type: 'server_error', code: code ?? 'timeout' };
  }
};

export const responsesErrorBody = (error: RelayError): { status: number; body: ResponsesErrorBody } => {
  const shape = wireShapeFor(error);
  return {
    status: shape.status,
    body: { error: { message: error.message, type: shape.type, param: error.param ?? null, code: shape.code } },
  };
};

export const encodeResponsesError = (error: RelayError, _requestId: string): EncodedError => {
  const { status, body } = responsesErrorBody(error);
  const headers = retryAfterHeaders(error.retryAfterSeconds);
  return Object.keys(headers).length === 0 ? { status, body } : { status, body, headers };
};

/** `error.code` of a `response.failed` event: the strings Codex CLI branches on. */
export const responsesFailureCode = (error: RelayError): string => {
  if (error.code !== undefined) return error.code;
  switch (error.kind) {
    case 'insufficient_quota':
      return 'insufficient_quota';
    case 'rate_limit':
      return 'rate_limit_exceeded';
    case 'invalid_request':
    case 'unsupported_feature':
    case 'request_too_large':
      return 'invalid_prompt';
    case 'authentication':
      return 'invalid_api_key';
    case 'permission':
    case 'not_found':
    case 'model_not_found':
    case 'api_error':
    case 'overloaded':
    case 'timeout':
      return 'server_error';
  }
};

const codeOf = (object: ResponsesErrorObjectWire | undefined): string | undefined =>
  object?.code === undefined || object.code === null ? undefined : String(object.code);

const refineKind = (kind: ErrorKind, object: ResponsesErrorObjectWire | undefined): ErrorKind => {
  const code = codeOf(object);
  if (code === 'insufficient_quota' || object?.type === 'insufficient_quota') return 'insufficient_quota';
  if (code === 'model_not_found' && kind === 'not_found') return 'model_not_found';
  return kind;
};

const readErrorObject = (bodyText: string): ResponsesErrorObjectWire | string | undefined => {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  const parsed = responsesErrorBodySchema().safeParse(body);
  if (!parsed.success || parsed.data.error === undefined || parsed.data.error === null) return undefined;
  return parsed.data.error;
};

/** An upstream HTTP error → RelayError with the upstream status kept (never 4xx↔5xx). */
export const decodeResponsesError = (status: number, bodyText: string, headers: Headers): RelayError => {
  const found = readErrorObject(bodyText);
  const object = typeof found === 'string' ? undefined : found;
  const message =
    typeof found === 'string' ? found : (object?.message ?? (bodyText.trim().slice(0, 500) || `HTTP ${status}`));
  const code = codeOf(object);
  const retryAfterSeconds = retryAfterSecondsFromHeaders(headers);
  return new RelayError(refineKind(kindForStatus(status), object), status, `${VENDOR}: ${message}`, {
    upstreamStatus: status,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    ...(object?.param ? { param: object.param } : {}),
    ...(code === undefined ? {} : { code }),
  });
};

const FAILURE_KINDS: ReadonlyArray<[readonly string[], ErrorKind, number]> = [
  [['insufficient_quota'], 'insufficient_quota', 429],
  [['rate_limit_exceeded', 'rate_limit_error', 'requests', 'tokens'], 'rate_limit', 429],
  [['invalid_api_key', 'authentication_error'], 'authentication', 401],
  [['server_is_overloaded', 'overloaded'], 'overloaded', 503],
  [['timeout'], 'timeout', 504],
  [['invalid_request_error', 'invalid_prompt', 'context_length_exceeded'], 'invalid_request', 400],
];

/**
 * An `error` event or a `response.failed` inside a 200 stream has no status of its own: infer it from
 * code/type. Image-input codes (invalid_image…) are the client's fault too.
 */
export const relayErrorFromResponsesFailure = (object: ResponsesErrorObjectWire | null | undefined): RelayError => {
  const code = codeOf(object ?? undefined);
  const keys = [code, object?.type ?? undefined].filter((key): key is string => key !== undefined);
  const match = FAILURE_KINDS.find(([names]) => keys.some((key) => names.includes(key)));
  const [kind, status] = match
    ? [match[1], match[2]]
    : keys.some((key) => key.includes('image'))
      ? (['invalid_request', 400] as const)
      : (['api_error', 500] as const);
  return new RelayError(kind, status, `${VENDOR}: ${object?.message ?? 'response failed'}`, {
    ...(code === undefined ? {} : { code }),
    ...(object?.param ? { param: object.param } : {}),
  });
};
