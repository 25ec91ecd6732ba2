import type { AnswerObserver } from '../conversations/session';
import type { KnownOwners } from '../conversations/upstream-state';
import type { Env } from '../env';
import type { RelayError } from '../errors';
import type { WireFormat } from '../ir/format';
import type { IrRequest } from '../ir/request';
import type { Codec, RouteInfo } from '../protocols/codec';
import type { ClientErrorResponse } from '../protocols/client-error';
import type { Candidate } from '../routing/provider';
import type { RequestSession } from '../routing/session-affinity';
import type { Delivery } from '../streams/delivery';
import type { StreamOutcome } from '../streams/usage-tap';

/** Everything one upstream attempt needs to know about the client's call. */
export interface AttemptContext {
  env: Env;
  requestId: string;
  clientFormat: WireFormat;
  clientCodec: Codec;
  route: RouteInfo;
  /** The client's body as parsed JSON (passthrough forwards it). */
  body: Record<string, unknown>;
  /** That body's text exactly as received. */
  bodyText: string;
  stream: boolean;
  clientHeaders: Headers;
  /** The client's request in IR, decoded on first use (only translation needs it). */
  ir: () => IrRequest;
  /** The same without its conversation, decoded on first use (stream-client-context.ts): what a stream may keep of its request. */
  lightIr: () => IrRequest | undefined;
  created: number;
  signal: AbortSignal;
  /** Sees the answers the relay encodes itself, for the client's conversation session (conversations/session.ts). */
  observe?: AnswerObserver;
  /**
   * Told when a request goes upstream (with the outcome that attempt fills) and when that upstream then
   * failed on its own: a client that leaves in between leaves work the upstream did, which is billed.
   */
  upstreamWork?: { sent(outcome: StreamOutcome): void; failed(): void };
  /** The caller's account and agent session (cache affinity, provider-bound state: see relay/session-attempt.ts). */
  session?: RequestSession;
  /** Who stored the upstream state the request names, read once for it (conversations/upstream-state.ts). */
  upstreamState?: KnownOwners;
}

/** A response ready for the client, plus what the relay learns about it as it is delivered. */
export interface AttemptResult {
  status: number;
  headers: Record<string, string>;
  body: ReadableStream<Uint8Array> | string;
  /** For streams: how the client's side ended (read to the end, cancelled, failed). */
  delivered?: Promise<Delivery>;
  outcome: StreamOutcome;
  /** Fills `outcome` from a non-stream body whose decode was left for after the response (passthrough). */
  settleOutcome?: () => void;
  /** Non-stream: writes that belong to this answer but need not delay it (run in the request's waitUntil). */
  afterResponse?: () => Promise<void>;
  upstreamFormat: WireFormat;
  candidate: Candidate;
}

/**
 * An attempt that failed before any byte went to the client. `retryable` lets the fallback loop try
 * again (see retry-policy.ts) or the next candidate; `clientResponse` is what the client gets if this
 * was the last one (for passthrough, the upstream's own JSON error body; absent: `error` in the
 * client's shape). `retryAfterMs` is the upstream's own wait, to the millisecond.
 */
export class AttemptFailure extends Error {
  override readonly name = 'AttemptFailure';
  constructor(
    readonly error: RelayError,
    readonly retryable: boolean,
    readonly clientResponse?: ClientErrorResponse,
    readonly retryAfterMs?: number,
  ) {
    super(error.message);
  }
}
