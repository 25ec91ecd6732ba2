import type { IrStopReason } from '../../ir/stop-reason';

/**
 * Responses has no finish reason: `status` (+ `incomplete_details.reason`) and the output items say
 * why generation ended. A function call in the output means "tool use" whatever the
 * status, and a refusal content part means content_filter.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-status
 */
export interface ResponsesOutcome {
  status: string | null | undefined;
  incompleteReason: string | null | undefined;
  sawToolCall: boolean;
  sawRefusal: boolean;
}

export const mapResponsesStopReason = (outcome: ResponsesOutcome): IrStopReason => {
  if (outcome.sawToolCall) return 'tool_use';
  if (outcome.status === 'incomplete') {
    // Other reasons (max_messages, steered) also mean "cut short", which max_tokens says best.
    return outcome.incompleteReason === 'content_filter' ? 'content_filter' : 'max_tokens';
  }
  return outcome.sawRefusal ? 'content_filter' : 'end_turn';
};

export type ResponsesTerminalStatus =
  | { status: 'completed'; incomplete_details: null }
  | { status: 'incomplete'; incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } };

export const encodeResponsesStopReason = (reason: IrStopReason): ResponsesTerminalStatus => {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
    case 'tool_use':
    case 'pause_turn':
      return { status: 'completed', incomplete_details: null };
    case 'max_tokens':
    case 'context_window':
      return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
    case 'content_filter':
      return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  }
};
