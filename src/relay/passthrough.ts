import type { IrStreamEvent } from '../ir/stream-event';
import { passthroughClientHeaders } from '../protocols/registry';
import type { Candidate } from '../routing/provider';
import { decodeSse } from '../sse/decode';
import { encodeSse } from '../sse/encode';
import type { SseEvent } from '../sse/event';
import { AttemptFailure, type AttemptContext, type AttemptResult } from './attempt';
import { withIdleTimeout } from './idle-timeout';
import { fetchUpstream, isRetryableStatus } from './upstream-fetch';
import { newOutcome, observeIrEvent, type StreamOutcome } from './usage-tap';

const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
const JSON_HEADERS = { 'content-type': 'application/json' };
export const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

const forwardedHeaders = (context: AttemptContext): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const name of passthroughClientHeaders(context.clientFormat)) {
    const value = context.clientHeaders.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
};

/**
 * Same format in and out: the body goes upstream with only the model (and auth) rewritten, and the
 * response comes back unchanged. Streams are piped chunk by chunk; a tap decodes a copy of the bytes
 * with the format's own stream decoder to learn usage, off the client's path.
 */
export const passthroughAttempt = async (context: AttemptContext, candidate: Candidate): Promise<AttemptResult> => {
  const codec = context.clientCodec;
  const target = { model: candidate.upstreamModel, stream: context.stream };
  const encoded = codec.rewritePassthrough(structuredClone(context.body), target);
  const response = await fetchUpstream(context.env, {
    provider: candidate.provider,
    format: context.clientFormat,
    target,
    encoded,
    forwardHeaders: forwardedHeaders(context),
    signal: context.signal,
  });

  if (!response.ok) {
    const text = await response.text();
    const error = codec.decodeError(response.status, text, response.headers);
    const headers: Record<string, string> = { 'content-type': response.headers.get('content-type') ?? 'application/json' };
    const retryAfter = response.headers.get('retry-after');
    if (retryAfter !== null) headers['retry-after'] = retryAfter;
    throw new AttemptFailure(error, isRetryableStatus(response.status), { status: response.status, headers, body: text });
  }

  const outcome = newOutcome();
  const base = { status: response.status, outcome, upstreamFormat: context.clientFormat, candidate };
  if (!context.stream || response.body === null) {
    const text = await response.text();
    try {
      const decoded = codec.decodeResponse(JSON.parse(text));
      outcome.usage = decoded.usage;
      outcome.stopReason = decoded.stopReason;
      outcome.finished = true;
    } catch {
      // The client gets the upstream's body exactly as sent; only our accounting could not read it.
    }
    return { ...base, headers: JSON_HEADERS, body: text };
  }

  const idleMs = candidate.provider.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const upstreamBody = withIdleTimeout(response.body, idleMs, candidate.provider.id);
  const filter = codec.passthroughStreamFilter?.(context.body);
  const body =
    filter === undefined
      ? upstreamBody.pipeThrough(byteTap(codec.decodeStream(), outcome))
      : upstreamBody.pipeThrough(decodeSse()).pipeThrough(eventTap(codec.decodeStream(), outcome)).pipeThrough(filter).pipeThrough(encodeSse());
  return { ...base, headers: SSE_HEADERS, body };
};

/** Feeds every SSE event to the format's decoder on the side and records what it learns. */
const startSideDecoder = (decoder: TransformStream<SseEvent, IrStreamEvent>, outcome: StreamOutcome) => {
  const writer = decoder.writable.getWriter();
  const reader = decoder.readable.getReader();
  const drained = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        observeIrEvent(outcome, value);
      }
    } catch {
      // A stream our decoder cannot read still reaches the client untouched.
    }
  })();
  return { writer, drained };
};

const byteTap = (decoder: TransformStream<SseEvent, IrStreamEvent>, outcome: StreamOutcome): TransformStream<Uint8Array, Uint8Array> => {
  const sse = decodeSse();
  const side = startSideDecoder(decoder, outcome);
  const sseWriter = sse.writable.getWriter();
  const pump = (async () => {
    const reader = sse.readable.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await side.writer.write(value);
      }
      await side.writer.close();
    } catch {
      side.writer.abort().catch(() => {});
    }
  })();
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      controller.enqueue(chunk);
      sseWriter.write(chunk).catch(() => {});
    },
    async flush() {
      await sseWriter.close().catch(() => {});
      await pump;
      await side.drained;
    },
  });
};

const eventTap = (decoder: TransformStream<SseEvent, IrStreamEvent>, outcome: StreamOutcome): TransformStream<SseEvent, SseEvent> => {
  const side = startSideDecoder(decoder, outcome);
  return new TransformStream<SseEvent, SseEvent>({
    transform(event, controller) {
      controller.enqueue(event);
      side.writer.write(event).catch(() => {});
    },
    async flush() {
      await side.writer.close().catch(() => {});
      await side.drained;
    },
  });
};
