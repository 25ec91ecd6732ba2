import { RelayError } from '../../errors';
import type { IrStreamEvent } from '../../ir/stream-event';
import type { SseEvent } from '../../streams/sse-event';
import { unwrapSignature } from '../signature';
import { stringifyToolArguments } from '../shared/tool-arguments';
import { anthropicRelayError, anthropicStatusForType } from './errors';
import { anthropicErrorBodySchema } from './response-schema';
import type { AnthropicWireUsage } from './response-schema';
import { mapAnthropicStopReason } from './stop-reason';
import { isAnthropicBlockDelta, isAnthropicBlockStart, isAnthropicBlockStop, isAnthropicMessageDelta, isAnthropicMessageStart } from './stream-guards';
import { decodeAnthropicUsage, decodeAnthropicUsagePatch } from './usage';

/**
 * Upstream Anthropic SSE → IR events, 1:1.
 * - Upstream block indices are remapped so IR indices stay dense: server-tool blocks
 *   (`server_tool_use`, `*_tool_result`, …) are skipped with all their deltas.
 * - A tool's arguments arrive as `input_json_delta`s; a non-empty `input` in the start event
 *   (some compatible servers put the input there) is used only when no delta follows.
 * - `message_delta` usage overwrites field by field (last wins, `input_tokens` included);
 *   the final usage and reason go out with `finish` at `message_stop`.
 * - A second `message_start` is tolerated only before any block (nothing to merge yet); after
 *   a block it means a spliced retry (a retried upstream can splice a second message_start into one stream) and ends the stream with an error.
 * - Malformed JSON ends the stream with an error: the Anthropic SDK throws on it too.
 * - `event: error` ⇒ IR error; EOF without `message_stop` ⇒ IR error.
 */
interface OpenBlock {
  upstreamIndex: number;
  irIndex: number;
  kind: 'text' | 'thinking' | 'redacted_thinking' | 'tool_call';
  /** Tool input from the start event, used when no input_json_delta arrives. */
  startInput?: string;
  sawArguments: boolean;
}

const streamError = (message: string): RelayError => new RelayError('api_error', 502, message);

export const decodeAnthropicStreamStage = (): Transformer<SseEvent, IrStreamEvent> => {
  let started = false;
  let done = false;
  let nextIndex = 0;
  let open: OpenBlock | undefined;
  const skipped = new Set<number>();
  let usage: Partial<AnthropicWireUsage> = {};
  let stopReason: string | null | undefined;
  let stopSequence: string | null = null;
  let sawToolCall = false;

  const fail = (controller: TransformStreamDefaultController<IrStreamEvent>, error: RelayError) => {
    done = true;
    controller.enqueue({ type: 'error', error });
  };

  const closeOpen = (controller: TransformStreamDefaultController<IrStreamEvent>) => {
    if (open === undefined) return;
    if (open.kind === 'tool_call' && !open.sawArguments && open.startInput !== undefined) {
      controller.enqueue({ type: 'block_delta', index: open.irIndex, delta: { type: 'arguments', json: open.startInput } });
    }
    controller.enqueue({ type: 'block_stop', index: open.irIndex });
    open = undefined;
  };

  const onMessageStart = (payload: unknown, controller: TransformStreamDefaultController<IrStreamEvent>) => {
    if (!isAnthropicMessageStart(payload)) return fail(controller, streamError('anthropic: malformed message_start'));
    if (started && nextIndex > 0) return fail(controller, streamError('anthropic: stream restarted (second message_start)'));
    const { message } = payload;
    usage = decodeAnthropicUsagePatch(message.usage);
    if (started) return;
    started = true;
    const startUsage = decodeAnthropicUsage(usage);
    controller.enqueue({
      type: 'start',
      id: message.id,
      model: message.model ?? '',
      usage: {
        inputTokens: startUsage.inputTokens,
        cacheReadTokens: startUsage.cacheReadTokens,
        cacheWriteTokens: startUsage.cacheWriteTokens,
        outputTokens: startUsage.outputTokens,
      },
    });
  };

  const onBlockStart = (payload: unknown, controller: TransformStreamDefaultController<IrStreamEvent>) => {
    if (!isAnthropicBlockStart(payload)) return fail(controller, streamError('anthropic: malformed content_block_start'));
    const { index: upstreamIndex, content_block: block } = payload;
    closeOpen(controller);
    const irIndex = nextIndex;
    const opened = (kind: OpenBlock['kind']): OpenBlock => {
      nextIndex += 1;
      return { upstreamIndex, irIndex, kind, sawArguments: false };
    };
    switch (block.type) {
      case 'text':
        open = opened('text');
        controller.enqueue({ type: 'block_start', index: irIndex, block: { type: 'text' } });
        if (block.text) controller.enqueue({ type: 'block_delta', index: irIndex, delta: { type: 'text', text: block.text } });
        return;
      case 'thinking': {
        open = opened('thinking');
        controller.enqueue({ type: 'block_start', index: irIndex, block: { type: 'thinking' } });
        if (block.thinking) controller.enqueue({ type: 'block_delta', index: irIndex, delta: { type: 'thinking', text: block.thinking } });
        const signature = unwrapSignature(block.signature, 'anthropic');
        if (signature !== undefined) controller.enqueue({ type: 'block_delta', index: irIndex, delta: { type: 'signature', signature } });
        return;
      }
      case 'redacted_thinking':
        open = opened('redacted_thinking');
        controller.enqueue({ type: 'block_start', index: irIndex, block: { type: 'redacted_thinking', data: block.data ?? '' } });
        return;
      case 'tool_use': {
        open = opened('tool_call');
        sawToolCall = true;
        const input = block.input;
        const hasInput = input !== null && typeof input === 'object' && Object.keys(input).length > 0;
        if (hasInput) open.startInput = stringifyToolArguments(input);
        const start = { type: 'tool_call' as const, id: block.id ?? '', name: block.name ?? '' };
        controller.enqueue({ type: 'block_start', index: irIndex, block: start });
        return;
      }
      default:
        skipped.add(upstreamIndex);
    }
  };

  const onBlockDelta = (payload: unknown, controller: TransformStreamDefaultController<IrStreamEvent>) => {
    if (!isAnthropicBlockDelta(payload)) return fail(controller, streamError('anthropic: malformed content_block_delta'));
    const { index: upstreamIndex, delta } = payload;
    if (skipped.has(upstreamIndex) || open === undefined || open.upstreamIndex !== upstreamIndex) return;
    const index = open.irIndex;
    if (delta.type === 'text_delta' && open.kind === 'text' && delta.text) {
      controller.enqueue({ type: 'block_delta', index, delta: { type: 'text', text: delta.text } });
    } else if (delta.type === 'thinking_delta' && open.kind === 'thinking' && delta.thinking) {
      controller.enqueue({ type: 'block_delta', index, delta: { type: 'thinking', text: delta.thinking } });
    } else if (delta.type === 'signature_delta' && open.kind === 'thinking') {
      const signature = unwrapSignature(delta.signature, 'anthropic');
      if (signature !== undefined) controller.enqueue({ type: 'block_delta', index, delta: { type: 'signature', signature } });
    } else if (delta.type === 'input_json_delta' && open.kind === 'tool_call') {
      open.sawArguments = true;
      // A no-argument call streams one empty fragment; IR "" already means {}.
      if (delta.partial_json) controller.enqueue({ type: 'block_delta', index, delta: { type: 'arguments', json: delta.partial_json } });
    }
    // citations_delta: the IR has no citations; the cited text itself arrives as text_delta.
  };

  const onBlockStop = (payload: unknown, controller: TransformStreamDefaultController<IrStreamEvent>) => {
    if (!isAnthropicBlockStop(payload)) return fail(controller, streamError('anthropic: malformed content_block_stop'));
    if (open !== undefined && open.upstreamIndex === payload.index) closeOpen(controller);
  };

  const onMessageDelta = (payload: unknown, controller: TransformStreamDefaultController<IrStreamEvent>) => {
    if (!isAnthropicMessageDelta(payload)) return fail(controller, streamError('anthropic: malformed message_delta'));
    if (payload.delta?.stop_reason !== undefined) stopReason = payload.delta.stop_reason;
    if (payload.delta?.stop_sequence !== undefined) stopSequence = payload.delta.stop_sequence;
    usage = { ...usage, ...decodeAnthropicUsagePatch(payload.usage) };
  };

  const onError = (payload: unknown, controller: TransformStreamDefaultController<IrStreamEvent>) => {
    const parsed = anthropicErrorBodySchema.safeParse(payload);
    const type = parsed.success ? parsed.data.error.type : undefined;
    const message = (parsed.success ? parsed.data.error.message : undefined) ?? type ?? 'stream error';
    fail(controller, anthropicRelayError(anthropicStatusForType(type), type, message));
  };

  const onMessageStop = (controller: TransformStreamDefaultController<IrStreamEvent>) => {
    closeOpen(controller);
    done = true;
    const reason = mapAnthropicStopReason(stopReason, sawToolCall);
    controller.enqueue({
      type: 'finish',
      stopReason: reason,
      stopSequence: reason === 'stop_sequence' ? stopSequence : null,
      usage: decodeAnthropicUsage(usage),
    });
  };

  return {
    transform(event, controller) {
      if (done) return;
      let payload: unknown;
      try {
        payload = JSON.parse(event.data);
      } catch {
        return fail(controller, streamError('anthropic: malformed stream event'));
      }
      // `data.type` repeats the event name; it also covers proxies that drop the `event:` line.
      const named = payload !== null && typeof payload === 'object' && 'type' in payload ? payload.type : undefined;
      const type = typeof named === 'string' ? named : event.event;
      if (type === 'error') return onError(payload, controller);
      if (type === 'ping') {
        if (started) controller.enqueue({ type: 'ping' });
        return;
      }
      if (type === 'message_start') return onMessageStart(payload, controller);
      if (type === undefined || !started) {
        if (type === 'content_block_start' || type === 'content_block_delta' || type === 'message_delta' || type === 'message_stop') {
          fail(controller, streamError(`anthropic: ${type} before message_start`));
        }
        return;
      }
      switch (type) {
        case 'content_block_start':
          return onBlockStart(payload, controller);
        case 'content_block_delta':
          return onBlockDelta(payload, controller);
        case 'content_block_stop':
          return onBlockStop(payload, controller);
        case 'message_delta':
          return onMessageDelta(payload, controller);
        case 'message_stop':
          return onMessageStop(controller);
      }
    },
    flush(controller) {
      if (!done) controller.enqueue({ type: 'error', error: streamError('upstream stream ended before completion') });
    },
  };
};

/** The stage as a TransformStream of its own (tests and simple pipes; the relay fuses stages). */
export const decodeAnthropicStream = (): TransformStream<SseEvent, IrStreamEvent> => new TransformStream(decodeAnthropicStreamStage());
