import type { Env } from '../env';
import type { IrRequest } from '../ir/request';
import type { IrResponse } from '../ir/response';
import type { IrStreamEvent } from '../ir/stream-event';
import type { JsonRecord } from '../protocols/shared/json-guards';
import type { KnownOwners } from './upstream-state';
import type { SseEvent } from '../streams/sse-event';

/** What a conversation session is opened with: one request of one account. */
export interface ConversationOpening {
  env: Env;
  accountId: string;
  requestId: string;
  /** The client's body as parsed (after feature scopes). */
  body: JsonRecord;
  /** Whether an upstream of another format (not the mock) may answer: state kept only for translated answers needs no look-up otherwise. */
  mayTranslate: boolean;
  /** The owner records of the upstream state the request names, read beside the session's own look-ups (upstream-state.ts). */
  upstreamState?: Promise<KnownOwners>;
}

/** Watches one attempt's translated stream; either part may be absent when the session needs none of it. */
export interface StreamWatch {
  /** Each IR event the client encoder is given. */
  irEvent?: (event: IrStreamEvent) => void;
  /** Each event the client encoder writes. */
  clientEvent?: (event: SseEvent) => void;
}

/** Sees the answers the relay encodes itself (translation); the latest attempt's answer is the one kept. */
export interface AnswerObserver {
  /** A whole answer: as IR, and as the client-format object encoded from it. */
  answer(response: IrResponse, encoded: unknown): void;
  /** A fresh watch over one attempt's stream. */
  stream(): StreamWatch;
}

/**
 * The conversation state a client format keeps through the relay, for one request: the body with
 * kept state resolved into it, the decoded request with kept state put back, an observer of the
 * answer, and the write that keeps it once the client has it all. Found through the registry
 * (conversationSessionFor), so the relay never asks which format it serves.
 */
export interface ConversationSession {
  /** The body to relay: the client's own, or with stored state resolved into it. */
  readonly body: JsonRecord;
  /** `body` differs from what the client sent (it is re-serialized). */
  readonly changed: boolean;
  /** The decoded request with kept state put back. */
  restore(request: IrRequest): IrRequest;
  /** Absent: nothing of this request's answer is kept. */
  readonly observe?: AnswerObserver;
  /** Writes what was observed; called once the client has the whole answer (a function, not a method: a stream keeps only it). */
  readonly keep: () => Promise<void>;
}

export type OpenConversation = (opening: ConversationOpening) => Promise<ConversationSession | undefined>;
