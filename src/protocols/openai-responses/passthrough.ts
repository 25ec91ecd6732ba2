import { RelayError } from '../../errors';
import type { EncodedUpstreamRequest, UpstreamTarget } from '../codec';
import { responsesInputTokensSchema } from './schema';

/**
 * Same-format passthrough and the token-count endpoint. A Responses client reaching a Responses
 * upstream keeps everything it sent (stateful fields, hosted tools, Codex's extra items); only the
 * model changes. Usage always arrives in the terminal event, so nothing else needs asking for.
 * @see https://platform.openai.com/docs/api-reference/responses/input-tokens
 */
export const rewriteResponsesPassthrough = (body: Record<string, unknown>, target: UpstreamTarget): EncodedUpstreamRequest => ({
  path: '/responses',
  body: body.model === target.model ? body : { ...body, model: target.model },
});

export const encodeResponsesInputTokens = (inputTokens: number) => ({
  object: 'response.input_tokens' as const,
  input_tokens: inputTokens,
});

export const decodeResponsesInputTokens = (body: unknown): number => {
  const parsed = responsesInputTokensSchema().safeParse(body);
  if (!parsed.success) throw new RelayError('api_error', 502, 'openai: unreadable input_tokens answer', { cause: parsed.error });
  return parsed.data.input_tokens;
};
