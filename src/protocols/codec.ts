import type { RelayError } from '../errors';
import type { WireFormat } from '../ir/format';
import type { IrRequest } from '../ir/request';
import type { IrResponse } from '../ir/response';
import type { IrStreamEvent } from '../ir/stream-event';
import type { ModelProfile } from '../routing/provider';
import type { SseEvent } from '../streams/sse-event';

/** What the route knows besides the body (Gemini puts model and streaming in the path). */
export interface RouteInfo {
  model?: string;
  stream?: boolean;
  /** The endpoint variant, e.g. 'count_tokens' for Anthropic's /v1/messages/count_tokens. */
  endpoint?: 'generate' | 'count_tokens';
  /** Gemini `:streamGenerateContent` without `alt=sse`: the stream is one JSON array, not SSE. */
  jsonArrayStream?: boolean;
}

/** What a client-side encoder needs to know about the call it answers. */
export interface ClientContext {
  requestId: string;
  /** The request as decoded from the client: encoders echo its model and honour its options. */
  request: IrRequest;
  /** Unix seconds, for `created` fields. */
  created: number;
}

/** Where and what an upstream-side encoder sends. */
export interface UpstreamTarget {
  /** The model name the upstream knows. */
  model: string;
  stream: boolean;
  /** What the model route says about the model (output cap and its field); absent = no limits known. */
  profile?: ModelProfile;
}

export interface EncodedUpstreamRequest {
  /**
   * Path appended to the provider's baseUrl, query string included. The baseUrl is written the way
   * that protocol's official SDK takes it: `…/v1` for OpenAI, the bare host for Anthropic and Gemini.
   */
  path: string;
  body: unknown;
  headers?: Record<string, string>;
}

/** A URL the client put in its request for an upstream to fetch, and where it sits (the 400's param). */
export interface MediaUrl {
  url: string;
  param: string;
}

export interface EncodedError {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Codec {
  readonly format: WireFormat;

  // ── client side (ingress) ──────────────────────────────────────────────────────────────
  /** Client JSON → IR. Throws RelayError('invalid_request'|'unsupported_feature', 400) on bad input. */
  decodeRequest(body: unknown, route: RouteInfo): IrRequest;
  /** The model and stream flag only, for same-format passthrough (no full decode). */
  peekRequest(body: unknown, route: RouteInfo): { model: string; stream: boolean };
  /** Every media URL in the client's parsed body, without a decode: the URL-safety check runs on passthrough too. */
  mediaUrlsOf(body: Record<string, unknown>): MediaUrl[];
  encodeResponse(response: IrResponse, context: ClientContext): unknown;
  /**
   * The stream encoder as a plain synchronous transformer. The relay drives the SSE decoder, the
   * upstream decoder and this encoder by plain calls, chunk by chunk (src/streams/stage-step.ts,
   * from src/streams/stream-relay.ts), instead of piping one TransformStream per stage: every JS stream
   * hop costs a promise round per chunk, and a step tells which upstream chunk produced which events.
   */
  encodeStreamStage(context: ClientContext): Transformer<IrStreamEvent, SseEvent>;
  encodeError(error: RelayError, requestId: string): EncodedError;
  /** A token count answer in this format (Anthropic {input_tokens}, Gemini {totalTokens}, …). */
  encodeTokenCount?(inputTokens: number): unknown;

  // ── upstream side (egress) ─────────────────────────────────────────────────────────────
  encodeRequest(request: IrRequest, target: UpstreamTarget): EncodedUpstreamRequest;
  decodeResponse(body: unknown): IrResponse;
  /** The stream decoder as a plain synchronous transformer, driven step by step (see encodeStreamStage). */
  decodeStreamStage(): Transformer<SseEvent, IrStreamEvent>;
  decodeError(status: number, body: string, headers: Headers): RelayError;
  authHeaders(apiKey: string): Record<string, string>;
  /** Same-format passthrough: rewrite only the model (and what usage accounting needs); returns `body` itself when nothing changes. */
  rewritePassthrough(body: Record<string, unknown>, target: UpstreamTarget): EncodedUpstreamRequest;
  /**
   * Same-format passthrough: adapts the relay's in-stream error events (`tail`, from a fresh encoder)
   * so they continue the upstream's own stream, given its first and last events (Responses numbers
   * every event and names the response in it).
   */
  continuePassthroughStream?(tail: SseEvent[], first: SseEvent | undefined, last: SseEvent | undefined): SseEvent[];
  /** Upstream token counting, when the format has an endpoint for it. */
  encodeCountTokens?(request: IrRequest, target: UpstreamTarget): EncodedUpstreamRequest;
  decodeCountTokens?(body: unknown): number;
  /**
   * Same-format streaming passthrough: a filter over the upstream's SSE events, when the relay
   * changed the request in a way the client must not see (openai-chat: the usage chunk the relay
   * asked for). Undefined = the bytes pass through untouched.
   */
  passthroughStreamFilter?(clientBody: Record<string, unknown>): Transformer<SseEvent, SseEvent> | undefined;
  /**
   * Same-format streaming passthrough, once the first content event went by: which events the
   * stream decoder need not see (absent: it sees every event). The client gets the upstream's own
   * bytes, so the relay reads only usage, stop reasons and errors, and content deltas are skimmed.
   */
  passthroughSkimmer?(): PassthroughSkimmer;
  /**
   * Same-format passthrough: the body without opaque state only the provider that minted it accepts
   * (Anthropic thinking signatures), or undefined when it carries none. Sent instead of the body when
   * the session was last served by another provider of this format, or once an upstream refused
   * that state (`refusedProviderBoundState`); see src/relay/session-attempt.ts.
   */
  withoutProviderBoundState?(body: Record<string, unknown>): Record<string, unknown> | undefined;
  /** Whether an upstream error refused the request's provider-bound state (passthrough or translation alike). */
  refusedProviderBoundState?(error: RelayError): boolean;
  /**
   * Translation to this format upstream: the decoded request without the state only the provider of
   * this format that minted it accepts, or undefined when it carries none (the same rule as
   * `withoutProviderBoundState`, on the IR a client of another format sent).
   */
  requestWithoutProviderBoundState?(request: IrRequest): IrRequest | undefined;
}

export interface PassthroughSkimmer {
  /**
   * For a plain content delta (no usage, stop reason, error or first tool call in it, as a look at its
   * text tells, and whole as far as its first and last characters tell): the characters of text it
   * carries, for an estimate if the stream ends without usage. Undefined: decode the event.
   */
  skim(event: SseEvent): number | undefined;
  /**
   * The format repeats its cumulative usage on every event (Gemini): the last skimmed event is decoded
   * before the next decoded one and before the stream ends, so the usage read is the latest.
   */
  readonly cumulativeUsage?: boolean;
}
