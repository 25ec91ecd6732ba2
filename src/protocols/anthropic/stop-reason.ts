import type { IrStopReason } from '../../ir/stop-reason';

/**
 * Anthropic `stop_reason` ↔ IR. IR `content_filter` is Anthropic `refusal`;
 * IR `context_window` is `model_context_window_exceeded`.
 * @see https://docs.anthropic.com/en/api/handling-stop-reasons
 */
export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded';

/** Upstream → IR. Unknown or missing reasons (e.g. beta `compaction`) read as a normal end. */
export const mapAnthropicStopReason = (reason: string | null | undefined, sawToolCall = false): IrStopReason => {
  switch (reason) {
    case 'max_tokens':
      return 'max_tokens';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'tool_use':
      return 'tool_use';
    case 'pause_turn':
      return 'pause_turn';
    case 'refusal':
      return 'content_filter';
    case 'model_context_window_exceeded':
      return 'context_window';
    default:
      // A tool call emitted ⇒ the tool reason wins; an explicit max_tokens (truncated call) stays.
      return sawToolCall ? 'tool_use' : 'end_turn';
  }
};

/** A tool call emitted ⇒ the tool reason wins over a plain end (Gemini reports STOP for calls). */
export const withToolCallOverride = (reason: IrStopReason, sawToolCall: boolean): IrStopReason =>
  sawToolCall && (reason === 'end_turn' || reason === 'stop_sequence') ? 'tool_use' : reason;

/** IR → client `stop_reason`. */
export const toAnthropicStopReason = (reason: IrStopReason): AnthropicStopReason => {
  switch (reason) {
    case 'end_turn':
      return 'end_turn';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'max_tokens':
      return 'max_tokens';
    case 'tool_use':
      return 'tool_use';
    case 'pause_turn':
      return 'pause_turn';
    case 'content_filter':
      return 'refusal';
    case 'context_window':
      return 'model_context_window_exceeded';
  }
};
