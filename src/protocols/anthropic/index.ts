import type { Codec } from '../codec';
import { decodeAnthropicRequest, peekAnthropicRequest } from './decode-request';
import { decodeAnthropicCountTokens, decodeAnthropicResponse } from './decode-response';
import { decodeAnthropicStreamStage } from './decode-stream';
import { anthropicPassthroughSkimmer } from './passthrough-skim';
import { anthropicAuthHeaders, encodeAnthropicCountTokens, encodeAnthropicRequest } from './encode-request';
import { rewriteAnthropicPassthrough } from './passthrough';
import { encodeAnthropicResponse } from './encode-response';
import { encodeAnthropicStreamStage } from './encode-stream';
import { decodeAnthropicError, encodeAnthropicError } from './errors';
import { anthropicMediaUrls } from './media-urls';
import { refusedThinkingSignature, requestWithoutSignedThinking, withoutSignedThinking } from './provider-bound-thinking';

/** The Anthropic Messages codec (`POST /v1/messages`, `POST /v1/messages/count_tokens`). */
export const anthropicCodec: Codec = {
  format: 'anthropic',
  decodeRequest: decodeAnthropicRequest,
  peekRequest: peekAnthropicRequest,
  mediaUrlsOf: anthropicMediaUrls,
  encodeResponse: encodeAnthropicResponse,
  encodeStreamStage: encodeAnthropicStreamStage,
  encodeError: encodeAnthropicError,
  encodeTokenCount: (inputTokens) => ({ input_tokens: inputTokens }),
  encodeRequest: encodeAnthropicRequest,
  decodeResponse: decodeAnthropicResponse,
  decodeStreamStage: decodeAnthropicStreamStage,
  passthroughSkimmer: anthropicPassthroughSkimmer,
  decodeError: decodeAnthropicError,
  authHeaders: anthropicAuthHeaders,
  rewritePassthrough: rewriteAnthropicPassthrough,
  withoutProviderBoundState: withoutSignedThinking,
  refusedProviderBoundState: refusedThinkingSignature,
  requestWithoutProviderBoundState: requestWithoutSignedThinking,
  encodeCountTokens: encodeAnthropicCountTokens,
  decodeCountTokens: decodeAnthropicCountTokens,
};
