import type { IrStreamEvent } from '../ir/stream-event';
import { configOf } from '../env';
import type { PassthroughSkimmer } from '../protocols/codec';
import type { ProviderConfig } from '../routing/provider';
import type { SseEvent } from './sse-event';
import type { AttemptContext } from '../relay/attempt';
import type { Delivery } from './delivery';
import { keepaliveFor } from './keepalive';
import { streamFramingFor, type StreamFraming } from './stream-framing';
import { StreamRelay, type ChunkFacts, type StreamRenderer } from './stream-relay';
import { recordMidStreamFailure } from '../relay/upstream-response';
import { redactingRenderer, redactorFor, type Redactor } from '../relay/redact-secrets';
import type { StreamOutcome } from './usage-tap';

export interface ClientStreamOptions {
  context: AttemptContext;
  provider: ProviderConfig;
  body: ReadableStream<Uint8Array>;
  /** The upstream format's stream decoder. */
  decoder: Transformer<SseEvent, IrStreamEvent>;
  /** Passthrough: the events the decoder need not see once content started (see StreamRelay). */
  skimmer?: PassthroughSkimmer;
  /** How client bytes are made, in the framing the client asked for. */
  renderer: (framing: StreamFraming) => StreamRenderer;
  outcome: StreamOutcome;
  idleMs: number;
  firstContentBy: number;
  abortUpstream: (reason: unknown) => void;
  /** Stops the client's signal from aborting the upstream by itself: the stream relay takes that over. */
  unlinkClientSignal?: () => void;
  /** Same-format stream whose bytes go out unchanged: after the first content, the runtime pipes them (SSE framing only). */
  nativePipe?: boolean;
}

/** No cache or buffering proxy (nginx reads `x-accel-buffering`) may hold a stream's events back. */
const STREAM_HEADERS = { 'cache-control': 'no-cache', 'x-accel-buffering': 'no' } as const;

/**
 * In a native pipe the client got the upstream's error event as sent: one that echoed the provider's
 * key cannot be redacted any more, only logged (without the key) so the operator learns of it.
 */
const warnUnredacted = (facts: ChunkFacts, redactor: Redactor, providerId: string, requestId: string): void => {
  if (!redactor.active || !facts.ir.some((event) => event.type === 'error') || redactor.bytes(facts.bytes) === facts.bytes) return;
  console.warn(JSON.stringify({ message: 'an upstream error event after the first content carried the provider key to the client (PASSTHROUGH_PIPE=native)', requestId, provider: providerId }));
};

/**
 * The client's stream over an upstream event stream (passthrough or translation alike): framing and
 * keepalives for the client's format, timeouts and failure reporting for the provider. Resolves once
 * the upstream sent content, or once it has been silent before any for the keepalive interval
 * (see StreamRelay.open).
 */
export const openClientStream = async (
  options: ClientStreamOptions,
): Promise<{ headers: Record<string, string>; body: ReadableStream<Uint8Array>; delivered: Promise<Delivery> }> => {
  const { context, provider } = options;
  // The closures below live as long as the stream: they take the ids they need, not the context (it holds the request).
  const { requestId } = context;
  const framing = streamFramingFor(context.route);
  const { streamKeepaliveMs } = configOf(context.env);
  const redactor = redactorFor(provider);
  const relay = new StreamRelay({
    body: options.body,
    label: provider.id,
    decoder: options.decoder,
    ...(options.skimmer === undefined ? {} : { skimmer: options.skimmer }),
    // Upstream error events may echo the provider's key: chunks that carry one are scrubbed.
    renderer: redactingRenderer(options.renderer(framing), redactor),
    outcome: options.outcome,
    idleMs: options.idleMs,
    firstContentBy: options.firstContentBy,
    abortUpstream: options.abortUpstream,
    ...(options.unlinkClientSignal === undefined ? {} : { unlinkClientSignal: options.unlinkClientSignal }),
    onMidStreamFailure: recordMidStreamFailure(provider.id),
    keepalive: keepaliveFor(context.clientFormat, framing, streamKeepaliveMs),
    holdMs: streamKeepaliveMs,
    clientSignal: context.signal,
    ...(options.nativePipe === true && framing.isSse ? { nativePipe: { sent: (facts: ChunkFacts) => warnUnredacted(facts, redactor, provider.id, requestId) } } : {}),
  });
  const body = await relay.open();
  return { headers: { 'content-type': framing.contentType, ...STREAM_HEADERS }, body, delivered: relay.delivered };
};
