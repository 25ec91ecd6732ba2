import { kindForStatus, RelayError } from '../../errors';
import type { ErrorKind } from '../../errors';
import { retryAfterSecondsFromHeaders } from '../shared/retry-after';
import { openAIChatErrorObjectSchema } from './schema';
import type { OpenAIChatErrorObject } from './schema';

/**
 * OpenAI error bodies `{"error":{message,type,param,code}}` ↔ RelayError.
 * openai-node keys on the HTTP status, so the status is what must be right; type/code follow what
 * OpenAI itself sends.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export const OPENAI_VENDOR = 'openai';

export { encodeOpenAIError as encodeOpenAIChatError, openAIErrorBody as openAIChatErrorBody } from '../shared/openai-error-body';

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
