import type { Codec } from '../codec';
import { decodeOpenAIChatRequest, peekOpenAIChatRequest } from './decode-request';
import { decodeOpenAIChatResponse } from './decode-response';
import { decodeOpenAIChatStreamStage } from './decode-stream';
import { openAIChatPassthroughSkimmer } from './passthrough-skim';
import { encodeOpenAIChatRequest, rewriteOpenAIChatPassthrough } from './encode-request';
import { encodeOpenAIChatResponse } from './encode-response';
import { encodeOpenAIChatStreamStage } from './encode-stream';
import { decodeOpenAIChatError, encodeOpenAIChatError } from './errors';
import { openaiChatPassthroughFilterStage } from './passthrough-filter';
import { openaiChatMediaUrls } from './media-urls';

/** OpenAI Chat Completions (`POST /v1/chat/completions`). It has no token-count endpoint. */
export const openaiChatCodec: Codec = {
  format: 'openai-chat',
  decodeRequest: decodeOpenAIChatRequest,
  peekRequest: peekOpenAIChatRequest,
  mediaUrlsOf: openaiChatMediaUrls,
  encodeResponse: encodeOpenAIChatResponse,
  encodeStreamStage: encodeOpenAIChatStreamStage,
  encodeError: encodeOpenAIChatError,
  encodeRequest: encodeOpenAIChatRequest,
  decodeResponse: decodeOpenAIChatResponse,
  decodeStreamStage: decodeOpenAIChatStreamStage,
  passthroughSkimmer: openAIChatPassthroughSkimmer,
  decodeError: decodeOpenAIChatError,
  authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
  rewritePassthrough: rewriteOpenAIChatPassthrough,
  passthroughStreamFilter: openaiChatPassthroughFilterStage,
};
