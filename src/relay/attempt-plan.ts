import type { RelayError } from '../errors';
import type { Codec, EncodedUpstreamRequest, PassthroughSkimmer, UpstreamTarget } from '../protocols/codec';
import type { ClientErrorResponse } from '../protocols/client-error';
import type { StreamFraming } from '../streams/stream-framing';
import type { StreamRenderer } from '../streams/stream-relay';
import type { StreamOutcome } from '../streams/usage-tap';
import type { AttemptResult } from './attempt';

/** The upstream request a plan built (inside encodeFor: an encoder's throw is an EncodingFailure). */
export interface PlannedRequest {
  target: UpstreamTarget;
  encoded: EncodedUpstreamRequest;
  /** The client's body text, sent as is when the encoded body is the client's own. */
  bodyText?: string;
  /** Client headers forwarded upstream. */
  forwardHeaders?: Record<string, string>;
}

/** What a plan makes of a whole (non-stream) upstream answer. */
export type PlannedAnswer = Pick<AttemptResult, 'headers' | 'body' | 'settleOutcome'>;

/** The client side of a stream: how client bytes are made from upstream chunks. */
export interface PlannedStream {
  /** The events the decoder need not see once content started (see StreamRelay). */
  skimmer?: PassthroughSkimmer;
  renderer: (framing: StreamFraming) => StreamRenderer;
  /** The upstream's bytes go out unchanged: after the first content the runtime may pipe them. */
  nativePipe?: boolean;
}

/**
 * What one kind of attempt supplies to the engine (run-attempt.ts): only what differs between
 * relaying an upstream of the client's own format and translating another one.
 */
export interface AttemptPlan {
  /** The codec of the format spoken upstream: it reads the upstream's answers, errors and stream. */
  readonly upstreamCodec: Codec;
  readonly request: PlannedRequest;
  /** The client's response to a non-2xx upstream answer; undefined: the error in the client's own shape. */
  failureResponse(error: RelayError, text: string, response: Response): ClientErrorResponse | undefined;
  /** The status a successful answer goes to the client with. */
  successStatus(response: Response): number;
  answer(read: { text: string; value: unknown }, outcome: StreamOutcome): PlannedAnswer;
  stream(): PlannedStream;
}
