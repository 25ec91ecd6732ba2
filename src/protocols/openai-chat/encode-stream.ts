import type { IrStreamEvent } from '../../ir/stream-event';
import type { SseEvent } from '../../streams/sse-event';
import type { ClientContext } from '../codec';
import { randomId } from '../shared/ids';
import { openAIChatCompletionId, openAIChatShowsThinking } from './encode-response';
import { openAIChatErrorBody } from './errors';
import { toOpenAIChatFinishReason } from './stop-reason';
import { encodeOpenAIChatUsage } from './usage';

/**
 * IR stream events → Chat Completions SSE for an OpenAI client:
 * role chunk first; text as `content`; thinking as the `reasoning_content` extension (unless the
 * request hid reasoning); a tool call as `{index:k, id, type, function:{name, arguments}}` then
 * argument fragments, where k counts tool calls only. The opening chunk waits for the first
 * fragment: arguments that arrive whole (Gemini) ride in it, streamed ones (Anthropic) follow it, and a
 * call with none gets "{}" (clients JSON-parse the arguments). Then `delta:{}` + finish_reason; the usage chunk
 * (`choices:[]`) only when the client set include_usage; then `[DONE]`. An error becomes `data:{"error":…}` and ends
 * the stream without [DONE], which openai-node turns into an APIError.
 */
interface ToolSlot {
  k: number;
  id: string;
  name: string;
  opened: boolean;
}

const isCompleteJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

export const encodeOpenAIChatStreamStage = (context: ClientContext): Transformer<IrStreamEvent, SseEvent> => {
  const showThinking = openAIChatShowsThinking(context.request);
  const tools = new Map<number, ToolSlot>();
  let id: string | undefined;
  let nextK = 0;
  let done = false;

  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): SseEvent => ({
    data: JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created: context.created,
      model: context.request.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    }),
  });

  return {
    transform(event, controller) {
      if (done) return;
      const ensureStarted = (upstreamId?: string) => {
        if (id !== undefined) return;
        id = openAIChatCompletionId(upstreamId ?? randomId());
        controller.enqueue(chunk({ role: 'assistant', content: '' }));
      };

      const openTool = (slot: ToolSlot, args: string) => {
        slot.opened = true;
        const call = { index: slot.k, id: slot.id, type: 'function', function: { name: slot.name, arguments: args } };
        controller.enqueue(chunk({ tool_calls: [call] }));
      };

      switch (event.type) {
        case 'start':
          ensureStarted(event.id);
          return;
        case 'block_start':
          ensureStarted();
          if (event.block.type === 'tool_call') {
            tools.set(event.index, { k: nextK++, id: event.block.id, name: event.block.name, opened: false });
          }
          return;
        case 'block_delta': {
          ensureStarted();
          const delta = event.delta;
          if (delta.type === 'text' && delta.text !== '') controller.enqueue(chunk({ content: delta.text }));
          if (delta.type === 'thinking' && delta.text !== '' && showThinking) {
            controller.enqueue(chunk({ reasoning_content: delta.text }));
          }
          const slot = tools.get(event.index);
          if (delta.type !== 'arguments' || delta.json === '' || !slot) return;
          if (slot.opened) {
            controller.enqueue(chunk({ tool_calls: [{ index: slot.k, function: { arguments: delta.json } }] }));
          } else if (isCompleteJson(delta.json)) {
            openTool(slot, delta.json);
          } else {
            openTool(slot, '');
            controller.enqueue(chunk({ tool_calls: [{ index: slot.k, function: { arguments: delta.json } }] }));
          }
          return;
        }
        case 'block_stop': {
          const slot = tools.get(event.index);
          if (slot && !slot.opened) openTool(slot, '{}');
          return;
        }
        case 'finish': {
          ensureStarted();
          done = true;
          const stopReason = nextK > 0 ? 'tool_use' : event.stopReason;
          controller.enqueue(chunk({}, toOpenAIChatFinishReason(stopReason)));
          if (context.request.streamUsage === true) {
            controller.enqueue({
              data: JSON.stringify({
                id,
                object: 'chat.completion.chunk',
                created: context.created,
                model: context.request.model,
                choices: [],
                usage: encodeOpenAIChatUsage(event.usage),
              }),
            });
          }
          controller.enqueue({ data: '[DONE]' });
          return;
        }
        case 'error':
          done = true;
          controller.enqueue({ data: JSON.stringify(openAIChatErrorBody(event.error).body) });
          return;
        case 'usage':
        case 'ping':
          // Usage is reported once, from `finish`; A has no keepalive event (comments are below SSE events).
          return;
      }
    },
  };
};

/** The stage as a TransformStream of its own (tests and simple pipes; the relay fuses stages). */
export const encodeOpenAIChatStream = (context: ClientContext): TransformStream<IrStreamEvent, SseEvent> => new TransformStream(encodeOpenAIChatStreamStage(context));
