import { type ErrorKind, RelayError, kindForStatus } from '../../errors';
import type { EncodedError } from '../codec';
import { type GeminiErrorObject, geminiErrorObject } from './schema';

/**
 * Gemini error bodies `{"error":{code, message, status, details?}}` ↔ RelayError.
 * `details` may carry google.rpc.ErrorInfo{reason} and RetryInfo{retryDelay:"34.4s"}.
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 */
interface GeminiStatus {
  code: number;
  status: string;
}

const statusForKind = (kind: ErrorKind): GeminiStatus => {
  switch (kind) {
    case 'invalid_request':
    case 'unsupported_feature':
    case 'request_too_large':
      return { code: 400, status: 'INVALID_ARGUMENT' };
    case 'authentication':
      return { code: 401, status: 'UNAUTHENTICATED' };
    case 'insufficient_quota':
    case 'rate_limit':
      return { code: 429, status: 'RESOURCE_EXHAUSTED' };
    case 'permission':
      return { code: 403, status: 'PERMISSION_DENIED' };
    case 'not_found':
    case 'model_not_found':
      return { code: 404, status: 'NOT_FOUND' };
    case 'api_error':
      return { code: 500, status: 'INTERNAL' };
    case 'overloaded':
      return { code: 503, status: 'UNAVAILABLE' };
    case 'timeout':
      return { code: 504, status: 'DEADLINE_EXCEEDED' };
  }
};

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';

export interface GeminiErrorBody {
  error: { code: number; message: string; status: string; details?: Array<Record<string, unknown>> };
}

/** The wire body for a RelayError; also used for in-stream error chunks. */
export const geminiErrorBody = (error: RelayError): GeminiErrorBody => {
  const { code, status } = statusForKind(error.kind);
  const body: GeminiErrorBody = { error: { code, message: error.message, status } };
  if (error.retryAfterSeconds !== undefined) {
    body.error.details = [{ '@type': RETRY_INFO, retryDelay: `${error.retryAfterSeconds}s` }];
  }
  return body;
};

export const encodeGeminiError = (error: RelayError, _requestId: string): EncodedError => {
  const body = geminiErrorBody(error);
  const encoded: EncodedError = { status: body.error.code, body };
  if (error.retryAfterSeconds !== undefined) encoded.headers = { 'retry-after': String(Math.ceil(error.retryAfterSeconds)) };
  return encoded;
};

/** "34.4s" (a protobuf Duration in JSON) → whole seconds, rounded up. */
export const parseGeminiRetryDelay = (delay: unknown): number | undefined => {
  if (typeof delay !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
  return match?.[1] === undefined ? undefined : Math.ceil(Number(match[1]));
};

const retryAfterHeader = (headers: Headers | undefined): number | undefined => {
  const value = headers?.get('retry-after');
  if (value === null || value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
};

const detailField = (object: GeminiErrorObject, type: string, field: string): unknown =>
  object.details?.find((detail) => detail['@type'] === type)?.[field];

/** A parsed Gemini error object (from an HTTP error body or an in-stream chunk) → RelayError. */
export const relayErrorFromGemini = (object: GeminiErrorObject, httpStatus: number, headers?: Headers): RelayError => {
  const reason = detailField(object, ERROR_INFO, 'reason');
  const message = `gemini: ${object.message ?? object.status ?? `HTTP ${httpStatus}`}`;
  const retryAfterSeconds = parseGeminiRetryDelay(detailField(object, RETRY_INFO, 'retryDelay')) ?? retryAfterHeader(headers);
  const options = {
    upstreamStatus: httpStatus,
    code: typeof reason === 'string' ? reason : (object.status ?? undefined),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  };
  // A bad key is a 400 INVALID_ARGUMENT on the Gemini API; every other SDK expects 401.
  if (reason === 'API_KEY_INVALID') return new RelayError('authentication', 401, message, options);
  let kind = kindForStatus(httpStatus);
  if (kind === 'not_found' && /\bmodels?\b/i.test(object.message ?? '')) kind = 'model_not_found';
  return new RelayError(kind, httpStatus, message, options);
};

const readErrorObject = (body: string): GeminiErrorObject | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  // Some Gemini endpoints wrap the error in a one-element array.
  const candidate: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
  if (candidate === null || typeof candidate !== 'object' || !('error' in candidate)) return undefined;
  const result = geminiErrorObject.safeParse(candidate.error);
  return result.success ? result.data : undefined;
};

export const decodeGeminiError = (status: number, body: string, headers: Headers): RelayError => {
  const object = readErrorObject(body);
  if (object !== undefined) return relayErrorFromGemini(object, status, headers);
  const text = body.trim().slice(0, 500);
  return relayErrorFromGemini({ message: text === '' ? `HTTP ${status}` : text }, status, headers);
};
