import type { RelayError } from '../../errors';
import type { EncodedError } from '../codec';
import { retryAfterHeaders } from './retry-after';

/**
 * The error body both OpenAI formats answer with, `{"error":{message,type,param,code}}`, and the
 * status per error kind. openai-node keys on the HTTP status, so the status is
 * what must be right; type/code follow what OpenAI itself sends.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export interface OpenAIErrorBody {
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

export const openAIErrorBody = (error: RelayError): { status: number; body: OpenAIErrorBody } => {
  const shape = wireShapeFor(error);
  return {
    status: shape.status,
    body: { error: { message: error.message, type: shape.type, param: error.param ?? null, code: shape.code } },
  };
};

export const encodeOpenAIError = (error: RelayError, _requestId: string): EncodedError => {
  const { status, body } = openAIErrorBody(error);
  const headers = retryAfterHeaders(error.retryAfterSeconds);
  return Object.keys(headers).length === 0 ? { status, body } : { status, body, headers };
};
