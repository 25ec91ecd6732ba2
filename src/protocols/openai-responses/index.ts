import type { Codec } from '../codec';
import { decodeResponsesRequest, peekResponsesRequest } from './decode-request';
import { decodeResponsesResponse } from './decode-response';
import { decodeResponsesStreamStage } from './decode-stream';
import { responsesPassthroughSkimmer } from './passthrough-skim';
import { encodeResponsesCountTokens, encodeResponsesRequest } from './encode-request';
import { encodeResponsesResponse } from './encode-response';
import { encodeResponsesStreamStage } from './encode-stream';
import { decodeResponsesError, encodeResponsesError } from './errors';
import { decodeResponsesInputTokens, encodeResponsesInputTokens, rewriteResponsesPassthrough } from './passthrough';
import { continueResponsesPassthrough } from './passthrough-continuation';
import { openaiResponsesMediaUrls } from './media-urls';

export const openaiResponsesCodec: Codec = {
  format: 'openai-responses',
  decodeRequest: decodeResponsesRequest,
  peekRequest: peekResponsesRequest,
  mediaUrlsOf: openaiResponsesMediaUrls,
  encodeResponse: encodeResponsesResponse,
  encodeStreamStage: encodeResponsesStreamStage,
  encodeError: encodeResponsesError,
  encodeTokenCount: encodeResponsesInputTokens,
  encodeRequest: encodeResponsesRequest,
  decodeResponse: decodeResponsesResponse,
  decodeStreamStage: decodeResponsesStreamStage,
  passthroughSkimmer: responsesPassthroughSkimmer,
  decodeError: decodeResponsesError,
  authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
  rewritePassthrough: rewriteResponsesPassthrough,
  continuePassthroughStream: continueResponsesPassthrough,
  encodeCountTokens: encodeResponsesCountTokens,
  decodeCountTokens: decodeResponsesInputTokens,
};
