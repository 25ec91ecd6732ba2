import { describe, expect, it } from 'vitest';
import type { IrStopReason } from '../../../src/ir/stop-reason';
import { mapOpenAIChatFinishReason, toOpenAIChatFinishReason } from '../../../src/protocols/openai-chat/stop-reason';

describe('OpenAI Chat finish reasons', () => {
  it.each<[string | null, IrStopReason]>([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'content_filter'],
    ['something_new', 'end_turn'],
    [null, 'end_turn'],
  ])('%s → %s', (wire, ir) => {
    expect(mapOpenAIChatFinishReason(wire)).toBe(ir);
  });

  it.each<[IrStopReason, string]>([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['context_window', 'length'],
    ['tool_use', 'tool_calls'],
    ['content_filter', 'content_filter'],
  ])('%s → %s', (ir, wire) => {
    expect(toOpenAIChatFinishReason(ir)).toBe(wire);
  });
});
