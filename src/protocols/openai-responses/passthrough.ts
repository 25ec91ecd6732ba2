import { RelayError } from '../../errors';
import type { EncodedUpstreamRequest, UpstreamTarget } from '../codec';
import { cappedField } from '../shared/output-cap';
import { ownResponsesReasoning } from './passthrough-reasoning';
import { responsesInputTokensSchema } from './schema';

/**
 * Same-format passthrough and the token-count endpoint. A Responses client reaching a Responses
 * upstream keeps everything it sent (stateful fields, hosted tools, Codex's extra items); only the
 * model changes, `max_output_tokens` is capped to the model's ceiling, and reasoning items minted by
 * another upstream are dropped (passthrough-reasoning.ts). Usage always arrives in the terminal
 * event, so nothing else needs asking for.
 * @see https://platform.openai.com/docs/api-reference/responses/input-tokens
 */
export const rewriteResponsesPassthrough = (body: Record<string, unknown>, target: UpstreamTarget): EncodedUpstreamRequest => {
  const maxOutputTokens = cappedField(body, 'max_output_tokens', target);
  const input = ownResponsesReasoning(body.input);
  if (body.model === target.model && maxOutputTokens === undefined && input === undefined) return { path: '/responses', body };
  return {
    path: '/responses',
    body: {
      ...body,
      model: target.model,
      ...(maxOutputTokens === undefined ? {} : { max_output_tokens: maxOutputTokens }),
      ...(input === undefined ? {} : { input }),
    },
  };
};

export const encodeResponsesInputTokens = (inputTokens: number) => ({
  object: 'response.input_tokens' as const,
  input_tokens: inputTokens,
});

export const decodeResponsesInputTokens = (body: unknown): number => {
  const parsed = responsesInputTokensSchema().safeParse(body);
  if (!parsed.success) throw new RelayError('api_error', 502, 'openai: unreadable input_tokens answer', { cause: parsed.error });
  return parsed.data.input_tokens;
};
