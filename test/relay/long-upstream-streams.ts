import type { WireFormat } from '../../src/ir/format';

/** Usage every stream reports: 21 tokens in, 977 out. */
export const LONG_STREAM_USAGE = { input: 21, output: 977 };

const named = (payload: { type: string } & Record<string, unknown>) => `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`;
const data = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;

/**
 * One upstream answer of `deltas` text deltas per format, one SSE event per string, with the usage
 * above: the long streams the cost-budget tests count operations over. Gemini's comes with the
 * cumulative usage on every chunk and, with `geminiCrlf`, the \r\n framing Gemini streams use.
 */
export const longUpstreamStreams = (deltas: number, piece: (i: number) => string, options: { geminiCrlf?: boolean } = {}): Record<WireFormat, string[]> => {
  const { input, output } = LONG_STREAM_USAGE;
  const many = <T>(make: (i: number) => T): T[] => Array.from({ length: deltas }, (_, i) => make(i));
  return {
    anthropic: [
      named({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], usage: { input_tokens: input, output_tokens: 1 } } }),
      named({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      ...many((i) => named({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece(i) } })),
      named({ type: 'content_block_stop', index: 0 }),
      named({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: output } }),
      named({ type: 'message_stop' }),
    ],
    'openai-chat': [
      data({ id: 'c1', model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
      ...many((i) => data({ id: 'c1', model: 'm', choices: [{ index: 0, delta: { content: piece(i) }, finish_reason: null }], usage: null })),
      data({ id: 'c1', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
      data({ id: 'c1', model: 'm', choices: [], usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output } }),
      'data: [DONE]\n\n',
    ],
    'openai-responses': [
      named({ type: 'response.created', response: { id: 'resp_1', model: 'm', status: 'in_progress', output: [] } }),
      named({ type: 'response.output_item.added', output_index: 0, item: { id: 'msg_1', type: 'message', role: 'assistant', content: [] } }),
      ...many((i) => named({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: piece(i) })),
      named({
        type: 'response.completed',
        response: { id: 'resp_1', model: 'm', status: 'completed', output: [], usage: { input_tokens: input, output_tokens: output, total_tokens: input + output } },
      }),
    ],
    gemini: many((i) => {
      const last = i === deltas - 1;
      const event = data({
        candidates: [{ content: { role: 'model', parts: [{ text: piece(i) }] }, ...(last ? { finishReason: 'STOP' } : {}), index: 0 }],
        usageMetadata: { promptTokenCount: input, candidatesTokenCount: last ? output : i + 1, totalTokenCount: input + (last ? output : i + 1) },
        modelVersion: 'm',
        responseId: 'r1',
      });
      return options.geminiCrlf === true ? event.replace(/\n/g, '\r\n') : event;
    }),
  };
};
