import type { IrStopReason } from '../../ir/stop-reason';

export type OpenAIChatFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/**
 * `finish_reason` → IR. `stop` covers both a natural end and a matched stop sequence (OpenAI does not
 * say which), so it maps to `end_turn`. Unknown values from compatible servers read as `end_turn`.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 */
export const mapOpenAIChatFinishReason = (reason: string | null | undefined): IrStopReason => {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'end_turn';
  }
};

/** IR → `finish_reason`. A has no pause or context-window reason: the nearest meaning is used. */
export const toOpenAIChatFinishReason = (reason: IrStopReason): OpenAIChatFinishReason => {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
    case 'context_window':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
  }
};
