import type { IrSignature } from '../../ir/content';
import type { IrStopReason } from '../../ir/stop-reason';
import type { IrBlockStart, IrStreamEvent } from '../../ir/stream-event';
import type { IrUsage } from '../../ir/usage';
import { RelayError } from '../../errors';
import type { SseEvent } from '../../streams/sse-event';
import type { ClientContext } from '../codec';
import { type JsonFrame2, jsonFrame2 } from '../shared/json-template';
import { responsesErrorBody, responsesFailureCode } from './errors';
import {
  completeToolCallItem,
  finishReasoningItem,
  newMessageItem,
  newReasoningItem,
  newToolCallItem,
  outputTextPart,
} from './output-items';
import type { ResponsesMessageItem, ResponsesOutputItem, ResponsesReasoningItem, ResponsesToolCallItem } from './output-items';
import { responsesResponseId, responsesResponseObject } from './response-object';
import type { ResponsesObjectState } from './response-object';
import { encodeResponsesStopReason } from './stop-reason';
import { encodeResponsesUsage } from './usage';

/**
 * IR stream → Responses SSE in the order OpenAI sends it, which is
 * what openai-node's ResponseStream and Codex CLI check: `response.created` first, `sequence_number`
 * from 0 by one, `output_index`/`content_index` appended exactly, `item_id` = the item's own id, and a
 * terminal event whose `response.output` holds every item. Text blocks share one message item until
 * another kind of block starts; a text block with no text emits nothing (no empty parts). A thinking
 * block is a reasoning item with one summary part; its signature becomes `encrypted_content`.
 * Redacted thinking has no Responses form and is left out. IR pings become `keepalive` events.
 * A call of a tool the client declared as `custom` or `local_shell` (client-tools.ts) becomes that
 * item type; its input only exists once the function arguments are complete, so it goes out at the
 * end of the block (one `custom_tool_call_input.delta` + `.done`, as Codex reads them).
 */
type Current =
  | { kind: 'text'; message?: ResponsesMessageItem; contentIndex?: number; frame?: DeltaFrame }
  | { kind: 'thinking'; item: ResponsesReasoningItem; outputIndex: number; text: string; partOpen: boolean; signature?: IrSignature; frame?: DeltaFrame }
  /** `args` collects the arguments of custom and local_shell calls, which are sent whole at the end. */
  | { kind: 'tool'; item: ResponsesToolCallItem; outputIndex: number; args: string; frame?: DeltaFrame }
  | { kind: 'skip' };

/**
 * A delta event of one block, cut around its sequence number and its delta (see json-template.ts):
 * `{type, sequence_number, ...at, delta, ...after}`, the bytes `send(type, {...at, delta, ...after})` writes.
 */
interface DeltaFrame {
  type: string;
  json: JsonFrame2;
}

const deltaFrame = (type: string, at: Record<string, unknown>, after: Record<string, unknown> = {}): DeltaFrame => ({
  type,
  json: jsonFrame2((sequence, delta) => ({ type, sequence_number: sequence, ...at, delta, ...after })),
});

const TRUNCATED = 'upstream stream ended before completion';

class ResponsesStreamEncoder {
  private sequence = 0;
  private responseId: string;
  private started = false;
  private terminated = false;
  private readonly output: ResponsesOutputItem[] = [];
  private message: { item: ResponsesMessageItem; outputIndex: number } | null = null;
  private current: Current | null = null;

  constructor(
    private readonly context: ClientContext,
    private readonly enqueue: (event: SseEvent) => void,
  ) {
    this.responseId = responsesResponseId(context.requestId);
  }

  handle(event: IrStreamEvent): void {
    if (this.terminated) return;
    switch (event.type) {
      case 'start':
        // The id is fixed once response.created is out: the SDK rejects a changed lifecycle identity.
        if (!this.started) this.responseId = responsesResponseId(event.id);
        return this.start();
      case 'block_start':
        this.start();
        return this.blockStart(event.block);
      case 'block_delta':
        if (event.delta.type === 'text') return this.text(event.delta.text);
        if (event.delta.type === 'thinking') return this.thinking(event.delta.text);
        if (event.delta.type === 'arguments') return this.args(event.delta.json);
        if (this.current?.kind === 'thinking') this.current.signature = event.delta.signature;
        return;
      case 'block_stop':
        return this.blockStop();
      case 'usage':
        return;
      case 'ping':
        if (this.started) this.send('keepalive', {});
        return;
      case 'finish':
        return this.finish(event.stopReason, event.usage);
      case 'error':
        return this.fail(event.error);
    }
  }

  end(): void {
    if (!this.terminated) this.fail(new RelayError('api_error', 500, TRUNCATED));
  }

  private send(type: string, payload: Record<string, unknown>): void {
    this.enqueue({ event: type, data: JSON.stringify({ type, sequence_number: this.sequence++, ...payload }) });
  }

  private sendDelta(frame: DeltaFrame, delta: string): void {
    const { head, middle, tail } = frame.json;
    this.enqueue({ event: frame.type, data: `${head}${this.sequence++}${middle}${JSON.stringify(delta)}${tail}` });
  }

  private response(state: ResponsesObjectState) {
    return responsesResponseObject(this.context, this.responseId, state);
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    const response = this.response({ status: 'in_progress', output: [], usage: null });
    this.send('response.created', { response });
    this.send('response.in_progress', { response });
  }

  private addItem(item: ResponsesOutputItem): number {
    const outputIndex = this.output.length;
    this.output.push(item);
    this.send('response.output_item.added', { output_index: outputIndex, item });
    return outputIndex;
  }

  private closeMessage(): void {
    if (this.message === null) return;
    this.message.item.status = 'completed';
    this.send('response.output_item.done', { output_index: this.message.outputIndex, item: this.message.item });
    this.message = null;
  }

  private blockStart(block: IrBlockStart): void {
    if (block.type === 'text') {
      this.current = { kind: 'text' };
      return;
    }
    if (block.type === 'redacted_thinking') {
      this.current = { kind: 'skip' };
      return;
    }
    this.closeMessage();
    if (block.type === 'thinking') {
      const item = newReasoningItem();
      this.current = { kind: 'thinking', item, outputIndex: this.addItem(item), text: '', partOpen: false };
      return;
    }
    const item = newToolCallItem(block, this.context.request.tools);
    this.current = { kind: 'tool', item, outputIndex: this.addItem(item), args: '' };
  }

  private text(delta: string): void {
    const current = this.current;
    if (current?.kind !== 'text' || delta === '') return;
    if (this.message === null) {
      const item = newMessageItem();
      this.message = { item, outputIndex: this.addItem(item) };
    }
    const { item, outputIndex } = this.message;
    if (current.contentIndex === undefined) {
      current.message = item;
      current.contentIndex = item.content.length;
      item.content.push(outputTextPart(''));
      const at = { item_id: item.id, output_index: outputIndex, content_index: current.contentIndex };
      this.send('response.content_part.added', { ...at, part: outputTextPart('') });
    }
    const part = item.content[current.contentIndex];
    if (part === undefined) return;
    part.text += delta;
    current.frame ??= deltaFrame(
      'response.output_text.delta',
      { item_id: item.id, output_index: outputIndex, content_index: current.contentIndex },
      { logprobs: [] },
    );
    this.sendDelta(current.frame, delta);
  }

  private thinking(delta: string): void {
    const current = this.current;
    if (current?.kind !== 'thinking' || delta === '') return;
    const at = { item_id: current.item.id, output_index: current.outputIndex, summary_index: 0 };
    if (!current.partOpen) {
      current.partOpen = true;
      this.send('response.reasoning_summary_part.added', { ...at, part: { type: 'summary_text', text: '' } });
    }
    current.text += delta;
    current.frame ??= deltaFrame('response.reasoning_summary_text.delta', at);
    this.sendDelta(current.frame, delta);
  }

  private args(delta: string): void {
    const current = this.current;
    if (current?.kind !== 'tool' || delta === '') return;
    current.args += delta;
    if (current.item.type !== 'function_call') return;
    current.item.arguments += delta;
    current.frame ??= deltaFrame('response.function_call_arguments.delta', { item_id: current.item.id, output_index: current.outputIndex });
    this.sendDelta(current.frame, delta);
  }

  private blockStop(): void {
    const current = this.current;
    this.current = null;
    if (current === null || current.kind === 'skip') return;
    if (current.kind === 'text') {
      const part = current.contentIndex === undefined ? undefined : current.message?.content[current.contentIndex];
      if (current.message === undefined || part === undefined || this.message === null) return;
      const at = { item_id: current.message.id, output_index: this.message.outputIndex, content_index: current.contentIndex };
      this.send('response.output_text.done', { ...at, text: part.text, logprobs: [] });
      this.send('response.content_part.done', { ...at, part });
      return;
    }
    if (current.kind === 'thinking') {
      const at = { item_id: current.item.id, output_index: current.outputIndex, summary_index: 0 };
      if (current.partOpen) {
        this.send('response.reasoning_summary_text.done', { ...at, text: current.text });
        this.send('response.reasoning_summary_part.done', { ...at, part: { type: 'summary_text', text: current.text } });
      }
      finishReasoningItem(current.item, current.text, current.signature);
      this.send('response.output_item.done', { output_index: current.outputIndex, item: current.item });
      return;
    }
    const { item, outputIndex } = current;
    completeToolCallItem(item, current.args);
    const at = { item_id: item.id, output_index: outputIndex };
    if (item.type === 'function_call') {
      // No-argument calls stream "" upstream; clients JSON-parse the arguments, and `""` is not JSON.
      if (current.args === '') this.send('response.function_call_arguments.delta', { ...at, delta: item.arguments });
      this.send('response.function_call_arguments.done', { ...at, name: item.name, arguments: item.arguments });
    } else if (item.type === 'custom_tool_call') {
      if (item.input !== '') this.send('response.custom_tool_call_input.delta', { ...at, delta: item.input });
      this.send('response.custom_tool_call_input.done', { ...at, input: item.input });
    }
    this.send('response.output_item.done', { output_index: outputIndex, item });
  }

  private finish(stopReason: IrStopReason, usage: IrUsage): void {
    this.start();
    this.closeMessage();
    const terminal = encodeResponsesStopReason(stopReason);
    const response = this.response({
      status: terminal.status,
      output: this.output,
      usage: encodeResponsesUsage(usage),
      incompleteDetails: terminal.incomplete_details,
    });
    this.send(terminal.status === 'completed' ? 'response.completed' : 'response.incomplete', { response });
    this.terminated = true;
  }

  /** OpenAI's own framing (recorded): an `error` event, then `response.failed` with what exists so far. */
  private fail(error: RelayError): void {
    this.start();
    const code = responsesFailureCode(error);
    for (const item of this.output) if ('status' in item && item.status === 'in_progress') item.status = 'incomplete';
    const { type } = responsesErrorBody(error).body.error;
    const param = error.param ?? null;
    this.send('error', { code, message: error.message, param, error: { type, code, message: error.message, param } });
    const response = this.response({ status: 'failed', output: this.output, usage: null, error: { code, message: error.message } });
    this.send('response.failed', { response });
    this.terminated = true;
  }
}

export const encodeResponsesStreamStage = (context: ClientContext): Transformer<IrStreamEvent, SseEvent> => {
  let encoder: ResponsesStreamEncoder | undefined;
  const encoderFor = (controller: TransformStreamDefaultController<SseEvent>) =>
    (encoder ??= new ResponsesStreamEncoder(context, (event) => controller.enqueue(event)));
  return {
    transform(event, controller) {
      encoderFor(controller).handle(event);
    },
    flush(controller) {
      encoderFor(controller).end();
    },
  };
};

/** The stage as a TransformStream of its own (tests and simple pipes; the relay fuses stages). */
export const encodeResponsesStream = (context: ClientContext): TransformStream<IrStreamEvent, SseEvent> => new TransformStream(encodeResponsesStreamStage(context));
