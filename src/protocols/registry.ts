import type { WireFormat } from '../ir/format';
import { anthropicCodec } from './anthropic';
import type { Codec } from './codec';
import { geminiCodec } from './gemini';
import { openaiChatCodec } from './openai-chat';
import { openaiResponsesCodec } from './openai-responses';
import { assertSoundRequest } from './shared/sound-request';
import type { RateLimitDialect } from '../quota/dialect';
import { anthropicCostlyFeatures } from './anthropic/costly-features';
import { geminiCostlyFeatures } from './gemini/costly-features';
import { openaiChatCostlyFeatures } from './openai-chat/costly-features';
import { openaiResponsesCostlyFeatures } from './openai-responses/costly-features';
import type { CostlyFeature } from './shared/costly-feature';
import type { OpenConversation } from '../conversations/session';
import { openChatReasoningSession } from '../conversations/chat-reasoning-session';
import { openResponsesSession } from '../conversations/responses-session';
import { anthropicSessionKey } from './anthropic/session-key';
import { geminiSessionKey } from './gemini/session-key';
import { chatSessionKey } from './openai-chat/session-key';
import { responsesSessionKey } from './openai-responses/session-key';

/** Every client request, whatever its format, passes the same sanity checks once decoded. */
const checked = (codec: Codec): Codec => ({ ...codec, decodeRequest: (body, route) => assertSoundRequest(codec.decodeRequest(body, route)) });

/** The only map from a wire format to its codec. */
const CODECS: Record<WireFormat, Codec> = {
  'openai-chat': checked(openaiChatCodec),
  'openai-responses': checked(openaiResponsesCodec),
  anthropic: checked(anthropicCodec),
  gemini: checked(geminiCodec),
};

export const codecFor = (format: WireFormat): Codec => CODECS[format];

/**
 * The error shape of the relay's own operator API (admin, whose clients are scripts and curl):
 * OpenAI's `{ error: { message, type, code, param } }`, the JSON error most HTTP clients already read.
 */
export const ADMIN_API_ERROR_FORMAT: WireFormat = 'openai-chat';

/**
 * Client headers forwarded upstream on same-format passthrough (never when translating): the
 * version and beta flags a native client relies on. Auth headers are always the relay's own.
 */
export const passthroughClientHeaders = (format: WireFormat): readonly string[] => {
  switch (format) {
    case 'anthropic':
      return ['anthropic-version', 'anthropic-beta'];
    case 'openai-chat':
    case 'openai-responses':
      return ['openai-beta'];
    case 'gemini':
      return [];
  }
};

/**
 * The rate-limit headers each format's clients read (built in src/quota/headers.ts): Claude Code shows
 * the unified windows, Codex CLI its primary / secondary windows; Gemini has no such headers.
 */
export const rateLimitDialectFor = (format: WireFormat): RateLimitDialect => {
  switch (format) {
    case 'anthropic':
      return { requests: 'anthropic-requests', agentWindows: 'anthropic-unified', upstreamErrorHeaderPrefix: 'anthropic-ratelimit-' };
    case 'openai-chat':
      return { requests: 'openai-requests', agentWindows: null, upstreamErrorHeaderPrefix: null };
    case 'openai-responses':
      return { requests: 'openai-requests', agentWindows: 'codex', upstreamErrorHeaderPrefix: null };
    case 'gemini':
      return { requests: null, agentWindows: null, upstreamErrorHeaderPrefix: null };
  }
};

/** Upstream features in a client's body that need a key scope (hosted tools, paid tiers, background runs). */
export const costlyFeaturesOf = (format: WireFormat, body: Record<string, unknown>): CostlyFeature[] => {
  switch (format) {
    case 'anthropic':
      return anthropicCostlyFeatures(body);
    case 'openai-chat':
      return openaiChatCostlyFeatures(body);
    case 'openai-responses':
      return openaiResponsesCostlyFeatures(body);
    case 'gemini':
      return geminiCostlyFeatures(body);
  }
};

/**
 * The agent session a client's request belongs to, for cache affinity (src/routing/session-affinity.ts):
 * Claude Code's session in `metadata.user_id`, `prompt_cache_key` and Codex's session header,
 * Gemini's `cachedContent`; undefined when the request names none.
 */
export const sessionKeyOf = (format: WireFormat, body: Record<string, unknown>, headers: Headers): string | undefined => {
  switch (format) {
    case 'anthropic':
      return anthropicSessionKey(body, headers);
    case 'openai-chat':
      return chatSessionKey(body);
    case 'openai-responses':
      return responsesSessionKey(body, headers);
    case 'gemini':
      return geminiSessionKey(body);
  }
};

/**
 * The format the built-in mock is spoken to for a client format: the client's own (a passthrough),
 * except for Responses clients, which get their answer translated from Chat so the relay keeps it like
 * any answer it encodes itself: `previous_response_id` and item references then work on the mock too.
 */
export const mockFormatFor = (clientFormat: WireFormat): WireFormat => (clientFormat === 'openai-responses' ? 'openai-chat' : clientFormat);

/**
 * The conversation session a client format keeps through the relay, if any: Responses clients chain
 * stored answers (`previous_response_id`), Chat clients get reasoning state back through tool loops.
 */
export const conversationSessionFor = (format: WireFormat): OpenConversation | undefined => {
  switch (format) {
    case 'openai-responses':
      return openResponsesSession;
    case 'openai-chat':
      return openChatReasoningSession;
    case 'anthropic':
    case 'gemini':
      return undefined;
  }
};

/**
 * The kind of conversation state a client format keeps through the relay (see conversationSessionFor):
 * `responses-chain` also means the format's upstreams store answers under their own ids.
 */
export const conversationStateOf = (format: WireFormat): 'responses-chain' | 'chat-reasoning' | undefined => {
  switch (format) {
    case 'openai-responses':
      return 'responses-chain';
    case 'openai-chat':
      return 'chat-reasoning';
    case 'anthropic':
    case 'gemini':
      return undefined;
  }
};

const KEEPALIVE_ENCODER = new TextEncoder();
const ANTHROPIC_PING = KEEPALIVE_ENCODER.encode('event: ping\ndata: {"type": "ping"}\n\n');
const SSE_COMMENT = KEEPALIVE_ENCODER.encode(': keepalive\n\n');

/**
 * What keeps a silent stream alive for a client format: Anthropic's own `ping` event, an SSE comment
 * for the OpenAI formats (every SSE parser skips comments). Gemini gets none: @google/genai's reader
 * only accepts `data:` lines, and a JSON array cannot carry one.
 */
export const keepaliveBytesFor = (format: WireFormat): Uint8Array | undefined => {
  switch (format) {
    case 'anthropic':
      return ANTHROPIC_PING;
    case 'openai-chat':
    case 'openai-responses':
      return SSE_COMMENT;
    case 'gemini':
      return undefined;
  }
};
