import { RelayError } from '../../errors';
import type { IrSignature } from '../../ir/content';
import type { IrStreamEvent } from '../../ir/stream-event';
import type { IrUsage } from '../../ir/usage';
import type { SseEvent } from '../../streams/sse-event';
import { jsonEvent } from '../../streams/sse-encode';
import type { ClientContext } from '../codec';
import { type JsonFrame2, jsonFrame2 } from '../shared/json-template';
import { wrapSignature } from '../signature';
import { anthropicMessageId } from './encode-response';
import { anthropicStreamErrorPayload } from './errors';
import { toAnthropicStopReason, withToolCallOverride } from './stop-reason';
import { encodeAnthropicUsage } from './usage';

/**
 * IR events → client Anthropic SSE, the sequence MessageStream
 * accepts: every event named (`event:` = `data.type`: the SDK silently drops events without an `event:` line); `message_start` + one `ping`;
 * blocks numbered densely in the order they are emitted; text blocks opened lazily at their first
 * non-empty delta, so no empty text block ever appears (none before a leading tool call); thinking gets exactly one
 * `signature_delta` right before its stop (an envelope for foreign signatures, `prx1:none` when
 * there is none); tool_use starts with `input:{}` and streams its arguments as
 * `input_json_delta` (an argument-less call sends one `"{}"`: input placed in content_block_start reads as {} to clients, and `""` is not JSON); `message_delta`
 * carries the reason and the full final usage, then `message_stop`.
 * `message_start` waits for the first block (or ping/finish) so that usage events arriving before
 * any content are in it. When the client asked for `display:"omitted"`, thinking text is withheld
 * and only the signature is sent, as the API itself does.
 */
type Kind = 'text' | 'thinking' | 'redacted_thinking' | 'tool_call';

interface BlockState {
  kind: Kind;
  /** The client-side index, once the block's start event has been sent. */
  clientIndex?: number;
  signature?: IrSignature;
  sentArguments: boolean;
}

type Controller = TransformStreamDefaultController<SseEvent>;

const send = (controller: Controller, payload: { type: string } & Record<string, unknown>) =>
  controller.enqueue(jsonEvent(payload, payload.type));

/** `content_block_delta` JSON around its index and its text, built once (see json-template.ts). */
const deltaFrame = (type: string, field: string): JsonFrame2 =>
  jsonFrame2((index, text) => ({ type: 'content_block_delta', index, delta: { type, [field]: text } }));
const TEXT_DELTA = deltaFrame('text_delta', 'text');
const THINKING_DELTA = deltaFrame('thinking_delta', 'thinking');
const ARGUMENTS_DELTA = deltaFrame('input_json_delta', 'partial_json');

export const encodeAnthropicStreamStage = (context: ClientContext): Transformer<IrStreamEvent, SseEvent> => {
  const hideThinking = context.request.reasoning?.visible === false;
  let id = '';
  let started = false;
  let messageStartSent = false;
  let done = false;
  let nextClientIndex = 0;
  let sawToolCall = false;
  let usage: Partial<IrUsage> = {};
  const blocks = new Map<number, BlockState>();

  const ensureMessageStart = (controller: Controller) => {
    if (messageStartSent) return;
    messageStartSent = true;
    send(controller, {
      type: 'message_start',
      message: {
        id: anthropicMessageId(id),
        type: 'message',
        role: 'assistant',
        model: context.request.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: encodeAnthropicUsage({ ...usage, outputTokens: 0, reasoningTokens: 0 }),
      },
    });
    send(controller, { type: 'ping' });
  };

  const openBlock = (controller: Controller, state: BlockState, contentBlock: Record<string, unknown>) => {
    ensureMessageStart(controller);
    state.clientIndex = nextClientIndex;
    nextClientIndex += 1;
    send(controller, { type: 'content_block_start', index: state.clientIndex, content_block: contentBlock });
  };

  const delta = (controller: Controller, index: number, payload: Record<string, unknown>) =>
    send(controller, { type: 'content_block_delta', index, delta: payload });

  /** The same bytes as `delta(…, {type, [field]: text})`, without an object serialized per event. */
  const textDelta = (controller: Controller, index: number, frame: JsonFrame2, text: string) =>
    controller.enqueue({ event: 'content_block_delta', data: `${frame.head}${index}${frame.middle}${JSON.stringify(text)}${frame.tail}` });

  const stopBlock = (controller: Controller, state: BlockState) => {
    const index = state.clientIndex;
    if (index === undefined) return;
    if (state.kind === 'thinking') {
      delta(controller, index, { type: 'signature_delta', signature: wrapSignature(state.signature, 'anthropic') });
    }
    if (state.kind === 'tool_call' && !state.sentArguments) delta(controller, index, { type: 'input_json_delta', partial_json: '{}' });
    send(controller, { type: 'content_block_stop', index });
  };

  const closeAll = (controller: Controller) => {
    for (const state of blocks.values()) stopBlock(controller, state);
    blocks.clear();
  };

  const handle = (event: IrStreamEvent, controller: Controller) => {
    switch (event.type) {
      case 'start':
        if (started) return;
        started = true;
        id = event.id;
        if (event.usage !== undefined) usage = { ...usage, ...event.usage };
        return;
      case 'usage':
        usage = { ...usage, ...event.usage };
        return;
      case 'ping':
        ensureMessageStart(controller);
        send(controller, { type: 'ping' });
        return;
      case 'block_start': {
        const block = event.block;
        const state: BlockState = { kind: block.type, sentArguments: false };
        blocks.set(event.index, state);
        if (block.type === 'thinking') openBlock(controller, state, { type: 'thinking', thinking: '', signature: '' });
        else if (block.type === 'redacted_thinking') openBlock(controller, state, { type: 'redacted_thinking', data: block.data });
        else if (block.type === 'tool_call') {
          sawToolCall = true;
          openBlock(controller, state, { type: 'tool_use', id: block.id, name: block.name, input: {} });
        }
        return;
      }
      case 'block_delta': {
        const state = blocks.get(event.index);
        if (state === undefined) return;
        const change = event.delta;
        if (change.type === 'text' && state.kind === 'text' && change.text !== '') {
          if (state.clientIndex === undefined) openBlock(controller, state, { type: 'text', text: '' });
          textDelta(controller, state.clientIndex ?? 0, TEXT_DELTA, change.text);
        } else if (change.type === 'thinking' && state.kind === 'thinking' && change.text !== '' && !hideThinking) {
          textDelta(controller, state.clientIndex ?? 0, THINKING_DELTA, change.text);
        } else if (change.type === 'signature' && state.kind === 'thinking') {
          state.signature = change.signature;
        } else if (change.type === 'arguments' && state.kind === 'tool_call' && change.json !== '') {
          state.sentArguments = true;
          textDelta(controller, state.clientIndex ?? 0, ARGUMENTS_DELTA, change.json);
        }
        return;
      }
      case 'block_stop': {
        const state = blocks.get(event.index);
        if (state === undefined) return;
        stopBlock(controller, state);
        blocks.delete(event.index);
        return;
      }
      case 'finish': {
        ensureMessageStart(controller);
        closeAll(controller);
        done = true;
        const reason = withToolCallOverride(event.stopReason, sawToolCall);
        const stopSequence = reason === 'stop_sequence' ? (event.stopSequence ?? null) : null;
        send(controller, {
          type: 'message_delta',
          delta: { stop_reason: toAnthropicStopReason(reason), stop_sequence: stopSequence },
          usage: encodeAnthropicUsage(event.usage),
        });
        send(controller, { type: 'message_stop' });
        return;
      }
      case 'error':
        done = true;
        send(controller, anthropicStreamErrorPayload(event.error));
        return;
    }
  };

  return {
    transform(event, controller) {
      if (!done) handle(event, controller);
    },
    flush(controller) {
      if (done) return;
      send(controller, anthropicStreamErrorPayload(new RelayError('api_error', 502, 'upstream stream ended before completion')));
    },
  };
};

/** The stage as a TransformStream of its own (tests and simple pipes; the relay fuses stages). */
export const encodeAnthropicStream = (context: ClientContext): TransformStream<IrStreamEvent, SseEvent> => new TransformStream(encodeAnthropicStreamStage(context));
