import type { IrSignature } from './content';
import type { IrStopReason } from './stop-reason';
import type { IrUsage } from './usage';
import type { RelayError } from '../errors';

/**
 * The stream every decoder produces and every encoder consumes. Invariants: exactly one `start`
 * first; blocks strictly sequential with `index` 0,1,2… and no gaps; every block_start has its
 * block_stop before the next block_start; `finish` comes after the last block_stop; nothing follows
 * `finish` or `error`.
 */
export type IrStreamEvent =
  | { type: 'start'; id: string; model: string; usage?: Partial<IrUsage> }
  | { type: 'block_start'; index: number; block: IrBlockStart }
  | { type: 'block_delta'; index: number; delta: IrBlockDelta }
  | { type: 'block_stop'; index: number }
  /** Usage learned mid-stream (cumulative; later values replace earlier ones field by field). */
  | { type: 'usage'; usage: Partial<IrUsage> }
  | { type: 'finish'; stopReason: IrStopReason; stopSequence?: string | null; usage: IrUsage }
  | { type: 'error'; error: RelayError }
  | { type: 'ping' };

export type IrBlockStart =
  | { type: 'text' }
  | { type: 'thinking' }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_call'; id: string; name: string };

export type IrBlockDelta =
  | { type: 'text'; text: string }
  | { type: 'thinking'; text: string }
  | { type: 'signature'; signature: IrSignature }
  | { type: 'arguments'; json: string };
