import { RelayError } from '../../errors';
import type { IrRequest } from '../../ir/request';
import type { EncodedUpstreamRequest, UpstreamTarget } from '../codec';
import { buildGeminiRequestBody, geminiModelPath } from './encode-request';
import { geminiCountTokensResponse } from './schema';

/**
 * `:countTokens`. The request wraps a whole generateContentRequest, because bare `contents` would
 * not count the system instruction and the tools.
 * @see https://ai.google.dev/api/tokens#method:-models.counttokens
 */
export const encodeGeminiCountTokens = (request: IrRequest, target: UpstreamTarget): EncodedUpstreamRequest => {
  const { contents, systemInstruction, tools } = buildGeminiRequestBody(request, { forCounting: true });
  const model = target.model.includes('/') ? target.model : `models/${target.model}`;
  return {
    path: geminiModelPath(target.model, 'countTokens'),
    body: {
      generateContentRequest: {
        model,
        contents,
        ...(systemInstruction === undefined ? {} : { systemInstruction }),
        ...(tools === undefined ? {} : { tools }),
      },
    },
  };
};

export const decodeGeminiCountTokens = (body: unknown): number => {
  const result = geminiCountTokensResponse.safeParse(body);
  if (!result.success) throw new RelayError('api_error', 502, 'gemini: unreadable countTokens response');
  // proto3 JSON leaves a zero count out.
  return result.data.totalTokens ?? 0;
};

export const encodeGeminiTokenCount = (inputTokens: number): { totalTokens: number } => ({ totalTokens: inputTokens });
