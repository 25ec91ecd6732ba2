import { describe, expect, it } from 'vitest';
import { geminiFinishReasonFor, mapGeminiFinishReason } from '../../../src/protocols/gemini/stop-reason';

describe('Gemini finish reasons', () => {
  it('maps every finishReason; a tool call wins', () => {
    expect(mapGeminiFinishReason('STOP', false)).toBe('end_turn');
    expect(mapGeminiFinishReason('STOP', true)).toBe('tool_use');
    expect(mapGeminiFinishReason('MAX_TOKENS', false)).toBe('max_tokens');
    for (const reason of ['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']) {
      expect(mapGeminiFinishReason(reason, false)).toBe('content_filter');
    }
    for (const reason of ['MALFORMED_FUNCTION_CALL', 'LANGUAGE', 'OTHER', 'FINISH_REASON_UNSPECIFIED', undefined]) {
      expect(mapGeminiFinishReason(reason, false)).toBe('end_turn');
    }
  });

  it('maps IR reasons back', () => {
    expect(geminiFinishReasonFor('end_turn')).toBe('STOP');
    expect(geminiFinishReasonFor('tool_use')).toBe('STOP');
    expect(geminiFinishReasonFor('pause_turn')).toBe('STOP');
    expect(geminiFinishReasonFor('stop_sequence')).toBe('STOP');
    expect(geminiFinishReasonFor('max_tokens')).toBe('MAX_TOKENS');
    expect(geminiFinishReasonFor('context_window')).toBe('MAX_TOKENS');
    expect(geminiFinishReasonFor('content_filter')).toBe('SAFETY');
  });
});
