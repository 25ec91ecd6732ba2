import type { Codec } from '../codec';
import { decodeGeminiCountTokens, encodeGeminiCountTokens, encodeGeminiTokenCount } from './count-tokens';
import { decodeGeminiRequest, peekGeminiRequest } from './decode-request';
import { decodeGeminiResponse } from './decode-response';
import { decodeGeminiStreamStage } from './decode-stream';
import { geminiPassthroughSkimmer } from './passthrough-skim';
import { encodeGeminiRequest, geminiAuthHeaders } from './encode-request';
import { rewriteGeminiPassthrough } from './passthrough';
import { encodeGeminiResponse } from './encode-response';
import { encodeGeminiStreamStage } from './encode-stream';
import { decodeGeminiError, encodeGeminiError } from './errors';
import { geminiMediaUrls } from './media-urls';

/** Gemini generateContent (format "D"): assembly only, every mapping lives in its own file. */
export const geminiCodec: Codec = {
  format: 'gemini',

  decodeRequest: decodeGeminiRequest,
  peekRequest: peekGeminiRequest,
  mediaUrlsOf: geminiMediaUrls,
  encodeResponse: encodeGeminiResponse,
  encodeStreamStage: encodeGeminiStreamStage,
  encodeError: encodeGeminiError,
  encodeTokenCount: encodeGeminiTokenCount,

  encodeRequest: encodeGeminiRequest,
  decodeResponse: decodeGeminiResponse,
  decodeStreamStage: decodeGeminiStreamStage,
  passthroughSkimmer: geminiPassthroughSkimmer,
  decodeError: decodeGeminiError,
  authHeaders: geminiAuthHeaders,
  rewritePassthrough: rewriteGeminiPassthrough,
  encodeCountTokens: encodeGeminiCountTokens,
  decodeCountTokens: decodeGeminiCountTokens,
};
