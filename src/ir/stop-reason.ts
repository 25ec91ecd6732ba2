/**
 * Why generation ended. `content_filter` covers refusals and safety blocks; `context_window` is
 * Anthropic's model_context_window_exceeded. Mapping per format: src/protocols/README.md.
 */
export type IrStopReason =
  | 'end_turn'
  | 'stop_sequence'
  | 'max_tokens'
  | 'tool_use'
  | 'pause_turn'
  | 'content_filter'
  | 'context_window';
