import type { IrStreamEvent } from '../../ir/stream-event';
import type { SseEvent } from '../../streams/sse-event';
import type { ClientContext } from '../codec';
import { randomId } from '../shared/ids';
import { type JsonFrame, jsonFrame } from '../shared/json-template';
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

type Controller = TransformStreamDefaultController<SseEvent>;

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
  /** What surrounds the delta of every mid-stream chunk (the id is fixed once the role chunk is out). */
  let deltaFrame: JsonFrame | undefined;
  /** The same bytes as `chunk(delta)`, for a delta given as JSON text: no object serialized per event. */
  const deltaChunk = (deltaJson: string): SseEvent => {
    deltaFrame ??= jsonFrame((delta) => ({
      id,
      object: 'chat.completion.chunk',
      created: context.created,
      model: context.request.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
    }));
    return { data: deltaFrame.head + deltaJson + deltaFrame.tail };
  };
  const argumentsChunk = (slot: ToolSlot, json: string): SseEvent =>
    deltaChunk(`{"tool_calls":[{"index":${slot.k},"function":{"arguments":${JSON.stringify(json)}}}]}`);

  const ensureStarted = (controller: Controller, upstreamId?: string) => {
    if (id !== undefined) return;
    id = openAIChatCompletionId(upstreamId ?? randomId());
    controller.enqueue(chunk({ role: 'assistant', content: '' }));
  };

  const openTool = (controller: Controller, slot: ToolSlot, args: string) => {
    slot.opened = true;
    const call = { index: slot.k, id: slot.id, type: 'function', function: { name: slot.name, arguments: args } };
    controller.enqueue(chunk({ tool_calls: [call] }));
  };

  return {
    transform(event, controller) {
      if (done) return;
      switch (event.type) {
        case 'start':
          ensureStarted(controller, event.id);
          return;
        case 'block_start':
          ensureStarted(controller);
          if (event.block.type === 'tool_call') {
            tools.set(event.index, { k: nextK++, id: event.block.id, name: event.block.name, opened: false });
          }
          return;
        case 'block_delta': {
          ensureStarted(controller);
          const delta = event.delta;
          if (delta.type === 'text') {
            if (delta.text !== '') controller.enqueue(deltaChunk(`{"content":${JSON.stringify(delta.text)}}`));
            return;
          }
          if (delta.type === 'thinking') {
            if (delta.text !== '' && showThinking) controller.enqueue(deltaChunk(`{"reasoning_content":${JSON.stringify(delta.text)}}`));
            return;
          }
          const slot = tools.get(event.index);
          if (delta.type !== 'arguments' || delta.json === '' || !slot) return;
          if (slot.opened) {
            controller.enqueue(argumentsChunk(slot, delta.json));
          } else if (isCompleteJson(delta.json)) {
            openTool(controller, slot, delta.json);
          } else {
            openTool(controller, slot, '');
            controller.enqueue(argumentsChunk(slot, delta.json));
          }
          return;
        }
        case 'block_stop': {
          const slot = tools.get(event.index);
          if (slot && !slot.opened) openTool(controller, slot, '{}');
          return;
        }
        case 'finish': {
          ensureStarted(controller);
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
