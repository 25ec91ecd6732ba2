import type { IrStreamEvent } from '../../ir/stream-event';
import { RelayError } from '../../errors';
import type { SseEvent } from '../../streams/sse-event';
import { randomId } from '../shared/ids';
import { readOpenAIChatReasoning } from './decode-response';
import { OPENAI_VENDOR, relayErrorFromOpenAIChatStreamError } from './errors';
import { openAIChatChunkSchema } from './schema';
import type { OpenAIChatChunk, OpenAIChatErrorObject, OpenAIChatToolCallDelta, OpenAIChatUsage } from './schema';
import { mapOpenAIChatFinishReason } from './stop-reason';
import { isOpenAIChatChunk, isOpenAIChatErrorObject } from './stream-guards';
import { decodeOpenAIChatUsage } from './usage';

/**
 * Upstream Chat Completions SSE → IR stream events.
 * - Chunks with empty/null `choices` (the usage chunk, Azure's prompt_filter_results preamble) only
 *   contribute usage.
 * - `reasoning_content`/`reasoning` deltas are thinking; `content` and `refusal` are text. A change of
 *   kind closes the open block, and the fragment that caused it is the new block's first delta.
 * - A tool call opens its block at its first fragment, with any arguments bundled alongside the name
 *   (Gemini compat, GLM, xAI). While the open call's arguments are not yet complete JSON, a call with
 *   a new index is held back and its fragments buffered, so servers that interleave calls lose nothing.
 * - `finish_reason` closes blocks but `finish` is held until `[DONE]`: the usage chunk comes after it.
 *   EOF after a finish_reason is a normal end (some compatible servers omit [DONE]); EOF before one
 *   means the upstream was cut off.
 * - Malformed JSON is an IR error, as openai-node throws on it rather than skipping.
 */
interface ToolState {
  id: string;
  name: string;
  args: string;
  closed: boolean;
}

type OpenBlock = { kind: 'text' | 'thinking'; index: number } | { kind: 'tool'; index: number; tool: ToolState };
type Emit = (event: IrStreamEvent) => void;

const isCompleteJson = (text: string): boolean => {
  if (text.trim() === '') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** `event: error` frames (openai-node honours them) carry `{error:{…}}` or the error object itself. */
const readStreamError = (payload: unknown): OpenAIChatErrorObject | string => {
  const candidate = payload !== null && typeof payload === 'object' && 'error' in payload ? payload.error : payload;
  if (typeof candidate === 'string') return candidate;
  return isOpenAIChatErrorObject(candidate) ? candidate : 'stream error';
};

class OpenAIChatStreamDecoder {
  private started = false;
  private ended = false;
  private open: OpenBlock | null = null;
  private nextIndex = 0;
  private readonly tools = new Map<number, ToolState>();
  private pending: ToolState[] = [];
  private finishReason: string | undefined;
  private usage: OpenAIChatUsage | undefined;
  private refused = false;
  private toolEmitted = false;

  constructor(private readonly emit: Emit) {}

  push(event: SseEvent): void {
    if (this.ended) return;
    if (event.data === '[DONE]') return this.finish();
    let payload: unknown;
    try {
      payload = JSON.parse(event.data);
    } catch (cause) {
      return this.fail(new RelayError('api_error', 502, `${OPENAI_VENDOR}: malformed stream chunk`, { cause }));
    }
    if (event.event === 'error') return this.fail(relayErrorFromOpenAIChatStreamError(readStreamError(payload)));
    if (!isOpenAIChatChunk(payload)) {
      // Only a chunk already known to be bad pays for the schema parse, which names what is wrong.
      const cause = openAIChatChunkSchema.safeParse(payload).error;
      return this.fail(new RelayError('api_error', 502, `${OPENAI_VENDOR}: unreadable stream chunk`, { cause }));
    }
    if (payload.error) return this.fail(relayErrorFromOpenAIChatStreamError(payload.error));
    this.chunk(payload);
  }

  end(): void {
    if (this.ended) return;
    if (this.finishReason !== undefined) return this.finish();
    this.fail(new RelayError('api_error', 502, 'upstream stream ended before completion'));
  }

  private chunk(chunk: OpenAIChatChunk): void {
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices?.find((candidate) => (candidate.index ?? 0) === 0);
    if (!choice) return;
    this.ensureStarted(chunk.id, chunk.model);
    const delta = choice.delta;
    if (delta) {
      const reasoning = readOpenAIChatReasoning(delta);
      if (reasoning !== undefined) this.textDelta('thinking', reasoning);
      if (delta.content) this.textDelta('text', delta.content);
      if (delta.refusal) {
        this.refused = true;
        this.textDelta('text', delta.refusal);
      }
      const calls = delta.tool_calls ?? [];
      for (const [position, call] of calls.entries()) {
        this.toolDelta(call, position);
        if (this.ended) return;
      }
    }
    if (choice.finish_reason) {
      this.closeOpen();
      this.flushPending();
      this.finishReason = choice.finish_reason;
    }
  }

  private ensureStarted(id?: string | null, model?: string | null): void {
    if (this.started) return;
    this.started = true;
    this.emit({ type: 'start', id: id || `chatcmpl-${randomId()}`, model: model ?? '' });
  }

  private textDelta(kind: 'text' | 'thinking', text: string): void {
    if (this.open?.kind === kind) {
      this.emit({ type: 'block_delta', index: this.open.index, delta: { type: kind, text } });
      return;
    }
    this.closeOpen();
    this.flushPending();
    const index = this.nextIndex++;
    this.emit({ type: 'block_start', index, block: { type: kind } });
    this.emit({ type: 'block_delta', index, delta: { type: kind, text } });
    this.open = { kind, index };
  }

  private toolDelta(call: OpenAIChatToolCallDelta, position: number): void {
    const key = call.index ?? position;
    const name = call.function?.name ?? '';
    const args = call.function?.arguments ?? '';
    const known = this.tools.get(key);
    if (!known) {
      const tool: ToolState = { id: call.id || `call_${randomId()}`, name, args, closed: false };
      this.tools.set(key, tool);
      this.pending.push(tool);
    } else if (this.open?.kind === 'tool' && this.open.tool === known) {
      if (args !== '') {
        known.args += args;
        this.emit({ type: 'block_delta', index: this.open.index, delta: { type: 'arguments', json: args } });
      }
    } else if (!known.closed) {
      known.args += args;
      if (known.name === '') known.name = name;
    } else if (args.trim() !== '') {
      const message = `${OPENAI_VENDOR}: tool call ${known.id} got arguments after it was closed`;
      return this.fail(new RelayError('api_error', 502, message));
    }
    this.promote();
  }

  /** Opens held-back calls in order once the open call (if any) has complete arguments. */
  private promote(): void {
    for (let next = this.pending[0]; next && next.name !== '' && this.openToolIsDone(); next = this.pending[0]) {
      this.pending.shift();
      this.openTool(next);
    }
  }

  private openToolIsDone(): boolean {
    return this.open === null || this.open.kind !== 'tool' || isCompleteJson(this.open.tool.args);
  }

  private openTool(tool: ToolState): void {
    this.closeOpen();
    const index = this.nextIndex++;
    this.emit({ type: 'block_start', index, block: { type: 'tool_call', id: tool.id, name: tool.name } });
    if (tool.args !== '') this.emit({ type: 'block_delta', index, delta: { type: 'arguments', json: tool.args } });
    this.open = { kind: 'tool', index, tool };
    this.toolEmitted = true;
  }

  private flushPending(): void {
    const held = this.pending;
    this.pending = [];
    for (const tool of held) {
      this.openTool(tool);
      this.closeOpen();
    }
  }

  private closeOpen(): void {
    if (!this.open) return;
    this.emit({ type: 'block_stop', index: this.open.index });
    if (this.open.kind === 'tool') this.open.tool.closed = true;
    this.open = null;
  }

  private finish(): void {
    this.ensureStarted();
    this.closeOpen();
    this.flushPending();
    this.ended = true;
    const mapped = mapOpenAIChatFinishReason(this.finishReason);
    const stopReason = this.toolEmitted ? 'tool_use' : this.refused && mapped === 'end_turn' ? 'content_filter' : mapped;
    this.emit({ type: 'finish', stopReason, stopSequence: null, usage: decodeOpenAIChatUsage(this.usage) });
  }

  private fail(error: RelayError): void {
    this.ended = true;
    this.emit({ type: 'error', error });
  }
}

export const decodeOpenAIChatStreamStage = (): Transformer<SseEvent, IrStreamEvent> => {
  let decoder: OpenAIChatStreamDecoder | undefined;
  const decoderFor = (controller: TransformStreamDefaultController<IrStreamEvent>) =>
    (decoder ??= new OpenAIChatStreamDecoder((event) => controller.enqueue(event)));
  return {
    transform(event, controller) {
      decoderFor(controller).push(event);
    },
    flush(controller) {
      decoderFor(controller).end();
    },
  };
};

/** The stage as a TransformStream of its own (tests and simple pipes; the relay fuses stages). */
export const decodeOpenAIChatStream = (): TransformStream<SseEvent, IrStreamEvent> => new TransformStream(decodeOpenAIChatStreamStage());
