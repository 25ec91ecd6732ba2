import type { IrBlockDelta, IrBlockStart, IrStreamEvent } from '../../ir/stream-event';
import { RelayError } from '../../errors';
import type { SseEvent } from '../../streams/sse-event';
import { randomId } from '../shared/ids';
import { irBlockEvents } from './block-events';
import { decodeResponsesOutputItems, reasoningText } from './decode-response';
import { relayErrorFromResponsesFailure } from './errors';
import { decodeReasoningSignature } from './reasoning-signature';
import type { ResponsesOutputItemWire, ResponsesResponseWire, ResponsesStreamEventWire } from './schema';
import { mapResponsesStopReason } from './stop-reason';
import { isResponsesStreamEvent } from './stream-guards';
import { flattenResponsesToolName } from './tool-names';
import { decodeResponsesUsage } from './usage';

/**
 * Responses upstream SSE → IR stream events. Everything is keyed by
 * `output_index`, never `item_id`, because some compatible upstreams rotate item ids per event
 * (Responses-compatible upstreams rotate item_id per event). A message's content parts become text blocks; a reasoning item one thinking block
 * (summary parts joined by a blank line) whose `encrypted_content`, known only at
 * `output_item.done`, becomes the signature delta right before block_stop; a function call a tool
 * block. The terminal event carries usage and the stop reason; `error`/`response.failed` become an
 * IR error; EOF before a terminal event is an error too (Codex CLI treats it as a disconnect).
 * Unparsable data lines are skipped, as Codex CLI does; a trailing `data: [DONE]` is ignored.
 * Servers that send only `.done` events, or only the terminal event, still get their content through.
 */
interface OpenBlock {
  index: number;
  kind: IrBlockStart['type'];
  outputIndex: number;
  contentIndex: number;
  /** Whether text reached this block as deltas (then a `.done` event adds nothing). */
  emitted: boolean;
}

interface ItemState {
  type: string;
  /** The IR block this item opened last, if any. */
  blockIndex?: number;
  /** Reasoning: a summary part ended, so the next text starts after a blank line. */
  pendingSeparator: boolean;
  reasoningEmitted: boolean;
  argsEmitted: boolean;
  /** Message: content parts that already had a text block (`output_text.done` and `content_part.done` both end one). */
  parts: Set<number>;
}

const TRUNCATED = 'upstream stream ended before completion';

class ResponsesStreamState {
  terminated = false;
  private started = false;
  private nextIndex = 0;
  private open: OpenBlock | null = null;
  private sawToolCall = false;
  private sawRefusal = false;
  private readonly items = new Map<number, ItemState>();
  private outputIndex = 0;

  constructor(private readonly emit: (event: IrStreamEvent) => void) {}

  handle(event: ResponsesStreamEventWire): void {
    this.outputIndex = event.output_index ?? 0;
    const contentIndex = event.content_index ?? 0;
    switch (event.type) {
      case 'response.created':
      case 'response.queued':
      case 'response.in_progress':
        return this.start(event.response);
      case 'keepalive':
        if (this.started) this.emit({ type: 'ping' });
        return;
      case 'response.output_item.added':
        return event.item ? this.itemAdded(event.item) : undefined;
      case 'response.output_item.done':
        return event.item ? this.itemDone(event.item) : undefined;
      case 'response.content_part.added':
        if (event.part?.type === 'reasoning_text') return this.summaryPartAdded();
        if (event.part?.type === 'refusal') this.sawRefusal = true;
        this.textBlock(contentIndex);
        return;
      case 'response.refusal.delta':
        this.sawRefusal = true;
        return this.text(contentIndex, event.delta);
      case 'response.output_text.delta':
        return this.text(contentIndex, event.delta);
      case 'response.output_text.done':
        return this.closeText(contentIndex, event.text);
      case 'response.refusal.done':
        this.sawRefusal = true;
        return this.closeText(contentIndex, event.refusal);
      case 'response.content_part.done':
        if (event.part?.type === 'reasoning_text') return;
        return this.closeText(contentIndex, event.part?.type === 'refusal' ? event.part.refusal : event.part?.text);
      case 'response.reasoning_summary_part.added':
        return this.summaryPartAdded();
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        return this.thinking(event.delta);
      case 'response.reasoning_summary_text.done':
      case 'response.reasoning_text.done':
        if (!this.state('reasoning').reasoningEmitted) this.thinking(event.text);
        return;
      case 'response.function_call_arguments.delta':
        return this.args(event.delta);
      case 'response.function_call_arguments.done':
        if (!this.state('function_call').argsEmitted) this.args(event.arguments);
        return;
      case 'response.completed':
        return this.finish(event.response, 'completed');
      case 'response.incomplete':
        return this.finish(event.response, 'incomplete');
      case 'response.failed':
        return this.fail(relayErrorFromResponsesFailure(event.response?.error));
      case 'error':
        return this.fail(relayErrorFromResponsesFailure(event.error ?? { code: event.code, message: event.message, param: event.param }));
    }
  }

  private start(response?: ResponsesResponseWire | null): void {
    if (this.started) return;
    this.started = true;
    this.emit({ type: 'start', id: response?.id ?? `resp_${randomId()}`, model: response?.model ?? '' });
  }

  private state(type: string): ItemState {
    let state = this.items.get(this.outputIndex);
    if (state === undefined) {
      state = { type, pendingSeparator: false, reasoningEmitted: false, argsEmitted: false, parts: new Set() };
      this.items.set(this.outputIndex, state);
    }
    return state;
  }

  private delta(index: number, delta: IrBlockDelta): void {
    this.emit({ type: 'block_delta', index, delta });
  }

  private closeOpen(): void {
    if (this.open === null) return;
    this.emit({ type: 'block_stop', index: this.open.index });
    this.open = null;
  }

  private openBlock(block: IrBlockStart, contentIndex = 0): OpenBlock {
    this.start();
    this.closeOpen();
    const open: OpenBlock = { index: this.nextIndex++, kind: block.type, outputIndex: this.outputIndex, contentIndex, emitted: false };
    this.emit({ type: 'block_start', index: open.index, block });
    this.open = open;
    const state = this.state(block.type === 'text' ? 'message' : block.type);
    state.blockIndex = open.index;
    if (block.type === 'text') state.parts.add(contentIndex);
    return open;
  }

  private openFor(kind: IrBlockStart['type'], contentIndex = 0): OpenBlock | null {
    const open = this.open;
    if (open === null || open.kind !== kind || open.outputIndex !== this.outputIndex) return null;
    return kind === 'text' && open.contentIndex !== contentIndex ? null : open;
  }

  private textBlock(contentIndex: number): OpenBlock {
    return this.openFor('text', contentIndex) ?? this.openBlock({ type: 'text' }, contentIndex);
  }

  private text(contentIndex: number, text: string | null | undefined): void {
    if (!text) return;
    const block = this.textBlock(contentIndex);
    this.delta(block.index, { type: 'text', text });
    block.emitted = true;
  }

  private closeText(contentIndex: number, text: string | null | undefined): void {
    const block = this.openFor('text', contentIndex);
    if (block === null && (!text || this.state('message').parts.has(contentIndex))) return;
    const target = block ?? this.openBlock({ type: 'text' }, contentIndex);
    if (!target.emitted && text) this.delta(target.index, { type: 'text', text });
    this.closeOpen();
  }

  private summaryPartAdded(): void {
    const state = this.state('reasoning');
    if (state.reasoningEmitted) state.pendingSeparator = true;
  }

  private thinking(text: string | null | undefined): void {
    if (!text) return;
    const state = this.state('reasoning');
    const block = this.openFor('thinking') ?? this.openBlock({ type: 'thinking' });
    this.delta(block.index, { type: 'thinking', text: state.pendingSeparator ? `\n\n${text}` : text });
    state.pendingSeparator = false;
    state.reasoningEmitted = true;
  }

  private args(json: string | null | undefined): void {
    const block = this.openFor('tool_call');
    if (!json || block === null) return;
    this.delta(block.index, { type: 'arguments', json });
    this.state('function_call').argsEmitted = true;
  }

  private itemAdded(item: ResponsesOutputItemWire): void {
    this.start();
    this.items.delete(this.outputIndex);
    this.state(item.type);
    if (item.type === 'reasoning') this.openBlock({ type: 'thinking' });
    if (item.type === 'function_call') {
      this.sawToolCall = true;
      const id = item.call_id ?? item.id ?? `call_${randomId()}`;
      this.openBlock({ type: 'tool_call', id, name: flattenResponsesToolName(item.namespace, item.name ?? '') });
      this.args(item.arguments);
    }
  }

  private itemDone(item: ResponsesOutputItemWire): void {
    if (this.items.get(this.outputIndex)?.type !== item.type) this.itemAdded(item);
    const state = this.state(item.type);
    if (item.type === 'reasoning') {
      const block = this.openFor('thinking') ?? this.openBlock({ type: 'thinking' });
      if (!state.reasoningEmitted) this.thinking(reasoningText(item));
      const signature = decodeReasoningSignature(item.encrypted_content, item.id);
      if (signature !== undefined) this.delta(block.index, { type: 'signature', signature });
      this.closeOpen();
    } else if (item.type === 'function_call') {
      if (!state.argsEmitted) this.args(item.arguments);
      if (this.openFor('tool_call') !== null) this.closeOpen();
    } else if (item.type === 'message') {
      if (this.open?.outputIndex === this.outputIndex) this.closeOpen();
      else if (state.blockIndex === undefined) {
        (item.content ?? []).forEach((part, contentIndex) => {
          if (part.type === 'refusal') this.sawRefusal = true;
          this.closeText(contentIndex, part.type === 'refusal' ? part.refusal : part.text);
        });
      }
    }
  }

  private finish(response: ResponsesResponseWire | null | undefined, fallbackStatus: string): void {
    this.start(response);
    this.closeOpen();
    if (this.nextIndex === 0 && response?.output) {
      const output = decodeResponsesOutputItems(response.output);
      this.sawToolCall ||= output.sawToolCall;
      this.sawRefusal ||= output.sawRefusal;
      for (const block of output.content) for (const event of irBlockEvents(block, this.nextIndex++)) this.emit(event);
    }
    this.emit({
      type: 'finish',
      stopReason: mapResponsesStopReason({
        status: response?.status ?? fallbackStatus,
        incompleteReason: response?.incomplete_details?.reason,
        sawToolCall: this.sawToolCall,
        sawRefusal: this.sawRefusal,
      }),
      usage: decodeResponsesUsage(response?.usage),
    });
    this.terminated = true;
  }

  fail(error: RelayError): void {
    this.emit({ type: 'error', error });
    this.terminated = true;
  }
}

export const decodeResponsesStreamStage = (): Transformer<SseEvent, IrStreamEvent> => {
  let state: ResponsesStreamState | undefined;
  const stateFor = (controller: TransformStreamDefaultController<IrStreamEvent>): ResponsesStreamState =>
    (state ??= new ResponsesStreamState((event) => controller.enqueue(event)));

  return {
    transform(sse, controller) {
      const current = stateFor(controller);
      if (current.terminated || sse.data === '[DONE]') return;
      let json: unknown;
      try {
        json = JSON.parse(sse.data);
      } catch {
        return;
      }
      if (isResponsesStreamEvent(json)) current.handle(json);
    },
    flush(controller) {
      const current = stateFor(controller);
      if (!current.terminated) current.fail(new RelayError('api_error', 502, TRUNCATED));
    },
  };
};

/** The stage as a TransformStream of its own (tests and simple pipes; the relay fuses stages). */
export const decodeResponsesStream = (): TransformStream<SseEvent, IrStreamEvent> => new TransformStream(decodeResponsesStreamStage());
