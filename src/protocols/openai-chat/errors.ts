import { kindForStatus, RelayError } from '../../errors';
import type { ErrorKind } from '../../errors';
import type { EncodedError } from '../codec';
import { retryAfterHeaders, retryAfterSecondsFromHeaders } from '../shared/retry-after';
import { openAIChatErrorObjectSchema } from './schema';
import type { OpenAIChatErrorObject } from './schema';

/**
 * OpenAI error bodies `{"error":{message,type,param,code}}` ↔ RelayError (PROTOCOLS §3.9).
 * openai-node keys on the HTTP status, so the status is what must be right; type/code follow what
 * OpenAI itself sends.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export const OPENAI_VENDOR = 'openai';

export interface OpenAIChatErrorBody {
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
      // OpenAI reports an exhausted balance as 429 insufficient_quota; there is no 402 in this API.
      return { status: 429, type: 'insufficient_quota', code: 'insufficient_quota' };
    case 'permission':
      return { status: error.status, type: 'permission_error', code };
    case 'rate_limit':
      return { status: error.status, type: 'rate_limit_error', code: code ?? 'rate_limit_exceeded' };
    case 'api_error':
      return { status: error.status, type: 'server_error', code };
    case 'overloaded':
      // 529 is Anthropic's; OpenAI clients know 503.
      return { status: error.status === 529 ? 503 : error.status, type: 'server_error', code: code ?? 'server_is_overloaded' };
    case 'timeout':
      return { status: error.status, type: 'server_error', code: code ?? 'timeout' };
  }
};

export const openAIChatErrorBody = (error: RelayError): { status: number; body: OpenAIChatErrorBody } => {
  const shape = wireShapeFor(error);
  return {
    status: shape.status,
    body: { error: { message: error.message, type: shape.type, param: error.param ?? null, code: shape.code } },
  };
};

export const encodeOpenAIChatError = (error: RelayError, _requestId: string): EncodedError => {
  const { status, body } = openAIChatErrorBody(error);
  const headers = retryAfterHeaders(error.retryAfterSeconds);
  return Object.keys(headers).length === 0 ? { status, body } : { status, body, headers };
};

const readErrorObject = (body: unknown): OpenAIChatErrorObject | string | undefined => {
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  const candidate = record.error ?? body;
  if (typeof candidate === 'string') return candidate;
  const parsed = openAIChatErrorObjectSchema.safeParse(candidate);
  if (parsed.success && typeof parsed.data.message === 'string') return parsed.data;
  // FastAPI-style compatible servers answer {"detail": "..."}.
  if (typeof record.detail === 'string') return record.detail;
  return parsed.success ? parsed.data : undefined;
};

const refineKind = (kind: ErrorKind, object: OpenAIChatErrorObject | undefined): ErrorKind => {
  const code = object?.code === undefined || object.code === null ? undefined : String(object.code);
  if (code === 'insufficient_quota' || object?.type === 'insufficient_quota') return 'insufficient_quota';
  if (code === 'model_not_found' && kind === 'not_found') return 'model_not_found';
  return kind;
};

/** An upstream HTTP error → RelayError with the upstream status kept (never 4xx↔5xx). */
export const decodeOpenAIChatError = (status: number, bodyText: string, headers: Headers): RelayError => {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  const found = readErrorObject(body);
  const object = typeof found === 'string' ? undefined : found;
  const rawMessage =
    typeof found === 'string' ? found : (object?.message ?? (bodyText.trim().slice(0, 500) || `HTTP ${status}`));
  const code = object?.code === undefined || object.code === null ? undefined : String(object.code);
  const retryAfterSeconds = retryAfterSecondsFromHeaders(headers);
  return new RelayError(refineKind(kindForStatus(status), object), status, `${OPENAI_VENDOR}: ${rawMessage}`, {
    upstreamStatus: status,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    ...(object?.param ? { param: object.param } : {}),
    ...(code === undefined ? {} : { code }),
  });
};

const STREAM_ERROR_KINDS: ReadonlyArray<[readonly string[], ErrorKind, number]> = [
  [['insufficient_quota'], 'insufficient_quota', 429],
  [['rate_limit_exceeded', 'rate_limit_error', 'requests', 'tokens'], 'rate_limit', 429],
  [['invalid_api_key', 'authentication_error'], 'authentication', 401],
  [['server_is_overloaded', 'overloaded', 'overloaded_error'], 'overloaded', 503],
  [['timeout'], 'timeout', 504],
  [['invalid_request_error', 'context_length_exceeded'], 'invalid_request', 400],
];

/** An error chunk inside a 200 stream has no status of its own: infer it from type/code. */
export const relayErrorFromOpenAIChatStreamError = (error: OpenAIChatErrorObject | string): RelayError => {
  if (typeof error === 'string') return new RelayError('api_error', 500, `${OPENAI_VENDOR}: ${error}`);
  const code = error.code === undefined || error.code === null ? undefined : String(error.code);
  const keys = [code, error.type ?? undefined].filter((key): key is string => key !== undefined);
  const match = STREAM_ERROR_KINDS.find(([names]) => keys.some((key) => names.includes(key)));
  const [, kind, status] = match ?? [[], 'api_error' as const, 500];
  return new RelayError(kind, status, `${OPENAI_VENDOR}: ${error.message ?? 'stream error'}`, {
    ...(error.param ? { param: error.param } : {}),
    ...(code === undefined ? {} : { code }),
  });
};
