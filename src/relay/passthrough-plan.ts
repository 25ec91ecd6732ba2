import { configOf } from '../env';
import { emptyUsage } from '../ir/usage';
import type { ClientContext } from '../protocols/codec';
import { passthroughClientHeaders, rateLimitDialectFor } from '../protocols/registry';
import type { Candidate } from '../routing/provider';
import { filteredRenderer, passthroughErrorTail, rawRenderer } from '../streams/stream-render';
import { observeAnswer } from '../streams/usage-tap';
import type { AttemptContext } from './attempt';
import type { AttemptPlan } from './attempt-plan';
import { encodeFor } from './encoding-failure';
import { lenientUsage } from './lenient-usage';
import { streamClientContext } from './stream-client-context';
import { tokensOfChars } from './token-estimate';
import { isJsonErrorBody } from './upstream-response';

const JSON_HEADERS = { 'content-type': 'application/json' };
const RETRY_HEADERS = ['retry-after', 'retry-after-ms'] as const;

/** An upstream's own quota headers on its error, for a client of the same format (its agent shows them). */
const upstreamQuotaHeaders = (headers: Headers, prefix: string | null): Record<string, string> => {
  const out: Record<string, string> = {};
  if (prefix !== null) for (const [name, value] of headers) if (name.startsWith(prefix)) out[name] = value;
  return out;
};

const forwardedHeaders = (context: AttemptContext): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const name of passthroughClientHeaders(context.clientFormat)) {
    const value = context.clientHeaders.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
};

/**
 * The client's request for the in-stream error encoder, decoded only if an error tail is written,
 * from the body without its conversation (context.lightIr: the stream keeps that, not the body); a
 * body that does not decode gives the model alone.
 */
const streamContextOf = (context: AttemptContext): (() => ClientContext) => {
  const { requestId, created, lightIr: light } = context;
  const model = context.route.model ?? (typeof context.body.model === 'string' ? context.body.model : '');
  return () => streamClientContext(requestId, light() ?? { model, system: [], messages: [], stream: true }, created);
};

/**
 * Same format in and out: the body goes upstream with only the model (and auth) rewritten, and the
 * response comes back unchanged, status included. Streams are relayed chunk by chunk, the format's
 * own decoder reading each chunk on the side for usage and for the commit point (see StreamRelay); if
 * the upstream is cut after bytes went out, the client gets the format's in-stream error instead of a
 * bare EOF. An upstream's JSON error goes to the client as sent (secrets scrubbed by the fallback loop).
 */
export const passthroughPlan = (context: AttemptContext, candidate: Candidate): AttemptPlan => {
  const codec = context.clientCodec;
  const target = { model: candidate.upstreamModel, stream: context.stream, profile: candidate.model };
  const encoded = encodeFor(candidate.provider.id, () => codec.rewritePassthrough(context.body, target));
  return {
    upstreamCodec: codec,
    request: {
      target,
      encoded,
      // Nothing to rewrite (same model name, nothing added): the client's bytes go upstream as sent.
      ...(encoded.body === context.body ? { bodyText: context.bodyText } : {}),
      forwardHeaders: forwardedHeaders(context),
    },
    failureResponse: (error, text, response) => {
      // Not JSON (a proxy's HTML error page would render): the client gets a relay error in its own shape instead.
      if (!isJsonErrorBody(text)) return undefined;
      const headers: Record<string, string> = { ...JSON_HEADERS };
      for (const name of RETRY_HEADERS) {
        const value = response.headers.get(name);
        if (value !== null) headers[name] = value;
      }
      Object.assign(headers, upstreamQuotaHeaders(response.headers, rateLimitDialectFor(context.clientFormat).upstreamErrorHeaderPrefix));
      // 529 is one format's word for "overloaded"; the client's codec says which status its clients know.
      const status = response.status === 529 ? codec.encodeError(error, context.requestId).status : response.status;
      return { status, headers, body: text };
    },
    successStatus: (response) => response.status,
    answer: ({ text, value }, outcome) => ({
      headers: JSON_HEADERS,
      body: text,
      settleOutcome: () => {
        try {
          observeAnswer(outcome, codec.decodeResponse(value));
        } catch {
          // The client gets the upstream's body exactly as sent; only our accounting could not read it
          // whole. The usage is read by field name, else estimated from the two bodies: never $0 for an
          // answer the upstream was paid for.
          const read = lenientUsage(value);
          outcome.usage = read ?? { ...emptyUsage(), inputTokens: tokensOfChars(context.bodyText.length), outputTokens: tokensOfChars(text.length) };
          outcome.estimated = read === undefined;
          outcome.finished = true;
        }
      },
    }),
    stream: () => {
      const errorTail = passthroughErrorTail(codec, streamContextOf(context));
      const filter = codec.passthroughStreamFilter?.(context.body);
      return {
        skimmer: codec.passthroughSkimmer?.(),
        renderer: (framing) => (filter === undefined ? rawRenderer(errorTail, framing) : filteredRenderer(filter, errorTail, framing)),
        // A filter rewrites events, so its bytes must pass through JS; otherwise the runtime may pipe them.
        nativePipe: filter === undefined && configOf(context.env).passthroughPipe === 'native',
      };
    },
  };
};
