import { describe, expect, it } from 'vitest';
import type { IrStopReason } from '../../../src/ir/stop-reason';
import { mapAnthropicStopReason, toAnthropicStopReason } from '../../../src/protocols/anthropic/stop-reason';

describe('Anthropic stop reasons', () => {
  it('maps every API reason to the IR and back', () => {
    const pairs: Array<[string, IrStopReason]> = [
      ['end_turn', 'end_turn'],
      ['stop_sequence', 'stop_sequence'],
      ['max_tokens', 'max_tokens'],
      ['tool_use', 'tool_use'],
      ['pause_turn', 'pause_turn'],
      ['refusal', 'content_filter'],
      ['model_context_window_exceeded', 'context_window'],
    ];
    for (const [wire, ir] of pairs) {
      expect(mapAnthropicStopReason(wire)).toBe(ir);
      expect(toAnthropicStopReason(ir)).toBe(wire);
    }
  });

  it('reads null or unknown reasons as end_turn, and a tool call as tool_use', () => {
    expect(mapAnthropicStopReason(null)).toBe('end_turn');
    expect(mapAnthropicStopReason('compaction')).toBe('end_turn');
    expect(mapAnthropicStopReason('end_turn', true)).toBe('tool_use');
    expect(mapAnthropicStopReason('max_tokens', true)).toBe('max_tokens');
  });
});
