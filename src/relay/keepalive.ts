import type { WireFormat } from '../ir/format';
import type { StreamFraming } from './stream-framing';

const encoder = new TextEncoder();

/**
 * What keeps a silent stream alive for each client format, once content has started: Anthropic's own
 * `ping` event, an SSE comment for the OpenAI formats (every SSE parser skips comments). Gemini gets
 * none: @google/genai's reader only accepts `data:` lines, and a JSON array cannot carry one.
 */
const KEEPALIVE: Record<WireFormat, Uint8Array | undefined> = {
  anthropic: encoder.encode('event: ping\ndata: {"type": "ping"}\n\n'),
  'openai-chat': encoder.encode(': keepalive\n\n'),
  'openai-responses': encoder.encode(': keepalive\n\n'),
  gemini: undefined,
};

export const keepaliveFor = (format: WireFormat, framing: StreamFraming, afterMs: number): { bytes: Uint8Array; afterMs: number } | undefined => {
  const bytes = KEEPALIVE[format];
  return bytes === undefined || !framing.isSse || afterMs <= 0 ? undefined : { bytes, afterMs };
};
