import { describe, expect, it } from 'vitest';
import type { IrStopReason } from '../../../src/ir/stop-reason';
import { encodeResponsesStopReason, mapResponsesStopReason } from '../../../src/protocols/openai-responses/stop-reason';
import { decodeResponsesUsage, encodeResponsesUsage } from '../../../src/protocols/openai-responses/usage';

describe('Responses usage', () => {
  it('keeps totals with their parts and total = input + output, both ways', () => {
    const wire = {
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 60, cache_write_tokens: 10 },
      output_tokens: 30,
      output_tokens_details: { reasoning_tokens: 20 },
      total_tokens: 130,
    };
    const ir = decodeResponsesUsage(wire);
    expect(ir).toEqual({ inputTokens: 100, outputTokens: 30, cacheReadTokens: 60, cacheWriteTokens: 10, reasoningTokens: 20 });
    expect(encodeResponsesUsage(ir)).toEqual(wire);
    expect(ir.cacheReadTokens + ir.cacheWriteTokens).toBeLessThanOrEqual(ir.inputTokens);
    expect(ir.reasoningTokens).toBeLessThanOrEqual(ir.outputTokens);
  });

  it('reads missing or null usage as zeros', () => {
    expect(decodeResponsesUsage(null)).toEqual({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(decodeResponsesUsage({ input_tokens: 5, input_tokens_details: null })).toMatchObject({ inputTokens: 5, cacheReadTokens: 0 });
  });
});

describe('Responses stop reasons', () => {
  it('maps status + items to IR (tool call wins, refusal = content_filter)', () => {
    const outcome = { status: 'completed', incompleteReason: null, sawToolCall: false, sawRefusal: false };
    expect(mapResponsesStopReason(outcome)).toBe('end_turn');
    expect(mapResponsesStopReason({ ...outcome, sawToolCall: true })).toBe('tool_use');
    expect(mapResponsesStopReason({ ...outcome, sawRefusal: true })).toBe('content_filter');
    expect(mapResponsesStopReason({ ...outcome, status: 'incomplete', incompleteReason: 'max_output_tokens' })).toBe('max_tokens');
    expect(mapResponsesStopReason({ ...outcome, status: 'incomplete', incompleteReason: 'content_filter' })).toBe('content_filter');
    expect(mapResponsesStopReason({ ...outcome, status: 'incomplete', incompleteReason: 'max_output_tokens', sawToolCall: true })).toBe('tool_use');
  });

  it('maps every IR reason to a terminal status', () => {
    const table: Array<[IrStopReason, string, string | undefined]> = [
      ['end_turn', 'completed', undefined],
      ['stop_sequence', 'completed', undefined],
      ['tool_use', 'completed', undefined],
      ['pause_turn', 'completed', undefined],
      ['max_tokens', 'incomplete', 'max_output_tokens'],
      ['context_window', 'incomplete', 'max_output_tokens'],
      ['content_filter', 'incomplete', 'content_filter'],
    ];
    for (const [reason, status, incomplete] of table) {
      const encoded = encodeResponsesStopReason(reason);
      expect(encoded.status).toBe(status);
      expect(encoded.incomplete_details?.reason).toBe(incomplete);
    }
  });
});
