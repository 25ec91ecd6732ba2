import type { IrStopReason } from '../../ir/stop-reason';

/**
 * Gemini `finishReason` ↔ IR stop reason. Gemini says STOP also when the model
 * called functions, so the caller passes whether any functionCall part was seen: a tool call wins.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 */
const CONTENT_FILTER_REASONS = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

export const mapGeminiFinishReason = (reason: string | null | undefined, hadToolCalls: boolean): IrStopReason => {
  if (hadToolCalls) return 'tool_use';
  if (reason === 'MAX_TOKENS') return 'max_tokens';
  if (reason !== null && reason !== undefined && CONTENT_FILTER_REASONS.has(reason)) return 'content_filter';
  // STOP, and the reasons with no IR counterpart (MALFORMED_FUNCTION_CALL, LANGUAGE, OTHER, …).
  return 'end_turn';
};

export type GeminiFinishReason = 'STOP' | 'MAX_TOKENS' | 'SAFETY';

export const geminiFinishReasonFor = (reason: IrStopReason): GeminiFinishReason => {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
    case 'tool_use':
    case 'pause_turn':
      return 'STOP';
    case 'max_tokens':
    case 'context_window':
      return 'MAX_TOKENS';
    case 'content_filter':
      return 'SAFETY';
  }
};
