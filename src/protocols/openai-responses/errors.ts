import { kindForStatus, RelayError } from '../../errors';
import type { ErrorKind } from '../../errors';
import { retryAfterSecondsFromHeaders } from '../shared/retry-after';
import { responsesErrorBodySchema } from './schema';
import type { ResponsesErrorObjectWire } from './schema';

/**
 * OpenAI error bodies `{"error":{message,type,param,code}}` ↔ RelayError; the same rules as Chat
 * Completions. openai-node keys on the HTTP status, Codex CLI on `error.code` of a
 * `response.failed` event, so both are kept right.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
const VENDOR = 'openai';

export { encodeOpenAIError as encodeResponsesError, openAIErrorBody as responsesErrorBody } from '../shared/openai-error-body';

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
