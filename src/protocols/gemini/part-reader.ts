import type { IrSignature } from '../../ir/content';
import type { IrStreamEvent } from '../../ir/stream-event';
import { irIdFromGeminiCallId } from './ids';
import { GeminiPartialArgs } from './partial-args';
import type { GeminiResponsePart } from './schema';

/**
 * Gemini response parts → IR block events, shared by the stream and the
 * non-stream decoder so both read parts the same way:
 * - `thought:true` text → thinking block; plain text → text block; empty text opens nothing.
 * - a `thoughtSignature` is reasoning state, not thinking text: it becomes the signature of the
 *   open thinking block, or of an empty thinking block opened for it, placed right before the part
 *   it sat on (placement `fc` for a functionCall, `tx` for text), so clients that only know
 *   thinking signatures (Anthropic, Responses) carry it back; a text part with a signature stays text.
 * - a functionCall → one whole tool block: start, one arguments delta (`{}` when there are none:
 *   clients JSON-parse the arguments, and `""` is not JSON), stop. Vertex `partialArgs` fragments are collected until the call completes.
 */
interface PendingCall {
  name: string;
  id: string | undefined;
  signature: string | undefined;
  args: GeminiPartialArgs;
}

export class GeminiPartReader {
  private open: { kind: 'text' | 'thinking'; index: number } | undefined;
  private nextIndex = 0;
  private toolCount = 0;
  private pending: PendingCall | undefined;

  constructor(
    private readonly emit: (event: IrStreamEvent) => void,
    private readonly mintId: (ordinal: number) => string,
  ) {}

  get hadToolCalls(): boolean {
    return this.toolCount > 0;
  }

  read(parts: readonly GeminiResponsePart[]): void {
    for (const part of parts) this.readPart(part);
  }

  /** Closes the open block and completes a call still collecting fragments. */
  close(): void {
    if (this.pending !== undefined) this.completePending();
    this.closeOpen();
  }

  private readPart(part: GeminiResponsePart): void {
    const signature = part.thoughtSignature ?? undefined;
    if (part.functionCall !== null && part.functionCall !== undefined) return this.readFunctionCall(part.functionCall, signature);
    if (this.pending !== undefined) this.completePending();
    const text = part.text ?? '';
    if (part.thought === true) {
      if (text !== '') this.delta('thinking', { type: 'thinking', text });
      if (signature !== undefined) this.attachSignature(signature, 'tx');
      return;
    }
    if (signature !== undefined) this.attachSignature(signature, 'tx');
    if (text !== '') this.delta('text', { type: 'text', text });
  }

  private readFunctionCall(call: NonNullable<GeminiResponsePart['functionCall']>, signature: string | undefined): void {
    const name = call.name ?? undefined;
    if (this.pending !== undefined && name === undefined) {
      this.pending.args.apply(call.partialArgs);
      if (call.willContinue !== true) this.completePending();
      return;
    }
    if (this.pending !== undefined) this.completePending();
    // A fragment with neither a name nor an open call has nothing to belong to.
    if (name === undefined) return;
    const args = new GeminiPartialArgs(call.args);
    args.apply(call.partialArgs);
    const pending: PendingCall = { name, id: call.id ?? undefined, signature, args };
    if (call.willContinue === true) this.pending = pending;
    else this.emitTool(pending);
  }

  private completePending(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined) this.emitTool(pending);
  }

  private emitTool(call: PendingCall): void {
    if (call.signature !== undefined) this.attachSignature(call.signature, 'fc');
    else this.closeOpen();
    const id = call.id !== undefined && call.id !== '' ? irIdFromGeminiCallId(call.id) : this.mintId(this.toolCount);
    this.toolCount += 1;
    const index = this.nextIndex++;
    this.emit({ type: 'block_start', index, block: { type: 'tool_call', id, name: call.name } });
    this.emit({ type: 'block_delta', index, delta: { type: 'arguments', json: JSON.stringify(call.args.args) } });
    this.emit({ type: 'block_stop', index });
  }

  private attachSignature(value: string, placement: 'fc' | 'tx'): void {
    const signature: IrSignature = { origin: 'gemini', value, placement };
    const index = this.open?.kind === 'thinking' ? this.open.index : this.openBlock('thinking');
    this.emit({ type: 'block_delta', index, delta: { type: 'signature', signature } });
    // The signature is a thinking block's last delta: later thought text starts a new block.
    this.closeOpen();
  }

  private delta(kind: 'text' | 'thinking', delta: { type: 'text' | 'thinking'; text: string }): void {
    const index = this.open?.kind === kind ? this.open.index : this.openBlock(kind);
    this.emit({ type: 'block_delta', index, delta });
  }

  private openBlock(kind: 'text' | 'thinking'): number {
    this.closeOpen();
    const index = this.nextIndex++;
    this.emit({ type: 'block_start', index, block: { type: kind } });
    this.open = { kind, index };
    return index;
  }

  private closeOpen(): void {
    if (this.open === undefined) return;
    this.emit({ type: 'block_stop', index: this.open.index });
    this.open = undefined;
  }
}
