import type { Context } from 'hono';
import { configOf, type AppEnv } from '../env';
import { assertKeyMayUse, modelNotFound } from '../auth/model-access';
import { toRelayError } from '../errors';
import type { WireFormat } from '../ir/format';
import type { IrRequest } from '../ir/request';
import type { RouteInfo } from '../protocols/codec';
import { codecFor, conversationSessionFor, conversationStateOf, costlyFeaturesOf, sessionKeyOf } from '../protocols/registry';
import { candidatesForStoredState, lookUpUpstreamState } from '../conversations/upstream-state';
import { applyFeatureScopes, REMOVED_FEATURES_HEADER } from './feature-scopes';
import { admitRequest, refundRequest, releaseRequest } from '../quota/quota-client';
import { rateLimitHeaders } from '../quota/headers';
import { routeModel } from '../routing/resolve-model';
import { requestSession } from '../routing/session-affinity';
import { loadRouteTable } from '../routing/route-table';
import type { AttemptContext } from './attempt';
import { trackDelivery } from '../streams/delivery';
import { runCandidates } from './fallback';
import { isRetryableKind } from './upstream-fetch';
import { readJsonRequest } from './read-body';
import { assertCanSpend } from '../usage/billing';
import { recordUsage, type UsageRecord } from './record-usage';
import { afterResponse } from './after-response';
import { lightRequestOf } from './stream-client-context';
import { requestEstimateOf, settledStreamUsage, tokensOfChars, type RequestEstimate } from './token-estimate';
import type { StreamOutcome } from '../streams/usage-tap';
import type { Delivery } from '../streams/delivery';
import type { AttemptResult } from './attempt';
import type { QuotaAdmission } from '../quota/quota-client';
import { releaseSpendHold, reserveSpend } from '../usage/spend-hold';
import { assertPublicMediaUrls } from '../net/url-safety';

/**
 * The one relay pipeline behind every generation endpoint: parse → route → admit → try candidates
 * (passthrough when the upstream speaks the client's format, translation otherwise) → respond,
 * then account for the request off the client's path.
 */
export const relay = async (c: Context<AppEnv>, format: WireFormat, route: RouteInfo = {}): Promise<Response> => {
  const started = Date.now();
  const env = c.env;
  const key = c.var.apiKey;
  const clientCodec = codecFor(format);
  const received = await readJsonRequest(c.req.raw);
  const { model, stream } = clientCodec.peekRequest(received.value, route);
  // Before quota and upstreams, and for passthrough too, which never decodes the body.
  assertPublicMediaUrls(clientCodec.mediaUrlsOf(received.value), configOf(env).allowPrivateUrls);
  assertKeyMayUse(key, model);
  const scoped = applyFeatureScopes(received.value, costlyFeaturesOf(format, received.value), key.scopes);
  const parsedBody = scoped.body;
  const bodyText = scoped.removed.length === 0 ? received.text : JSON.stringify(parsedBody);
  const removedHeader: Record<string, string> = scoped.removed.length === 0 ? {} : { [REMOVED_FEATURES_HEADER]: scoped.removed.join(', ') };
  // Recent 429s only reorder the candidates: a client is told 429 only by an upstream, for its own request.
  // One agent session keeps one provider among equals, so the upstream's prompt cache keeps hitting.
  const session = requestSession(key.accountId, sessionKeyOf(format, received.value, c.req.raw.headers));
  // Who stored the upstream state a request names is read once, while it is routed and its conversation loads.
  const storedState = conversationStateOf(format) === 'responses-chain' ? lookUpUpstreamState(env, key.accountId, parsedBody) : undefined;
  void storedState?.catch(() => undefined);
  const routed = routeModel(await loadRouteTable(env, started, c.executionCtx), model, started, Math.random, session.key).candidates;
  if (routed.length === 0) throw modelNotFound(model);

  // What the client's format keeps between its requests: kept state goes into the body and the request, the answer is kept.
  const conversation = await conversationSessionFor(format)?.({
    env,
    accountId: key.accountId,
    requestId: c.var.requestId,
    body: parsedBody,
    ...(storedState === undefined ? {} : { upstreamState: storedState }),
    mayTranslate: routed.some((candidate) => candidate.formatFor(format) !== format && candidate.provider.protocol !== 'mock'),
  });
  const body = conversation?.body ?? parsedBody;
  const upstreamState = await storedState;
  // State an upstream stored is continued only at the provider that stored it (routing/state-pin.ts).
  const candidates = candidatesForStoredState(upstreamState, routed);
  const keepRemembered = async () => {
    await conversation?.keep();
  };
  let ir: IrRequest | undefined;
  /** The outcome of the attempt whose request is upstream now (cleared when that upstream failed on its own). */
  let inFlight: StreamOutcome | undefined;
  const restored = (request: IrRequest): IrRequest => conversation?.restore(request) ?? request;
  const context: AttemptContext = {
    env,
    requestId: c.var.requestId,
    clientFormat: format,
    clientCodec,
    route,
    body,
    bodyText: conversation?.changed === true ? JSON.stringify(body) : bodyText,
    stream,
    clientHeaders: c.req.raw.headers,
    ir: () => (ir ??= restored(clientCodec.decodeRequest(body, { ...route, model, stream }))),
    lightIr: lightRequestOf({ clientCodec, route, body, stream }),
    created: Math.floor(started / 1000),
    signal: c.req.raw.signal,
    session,
    ...(upstreamState === undefined ? {} : { upstreamState }),
    ...(conversation?.observe === undefined ? {} : { observe: conversation.observe }),
    upstreamWork: {
      sent: (outcome) => {
        inFlight = outcome;
      },
      failed: () => {
        inFlight = undefined;
      },
    },
  };

  const decodedRequest = (): IrRequest | undefined => {
    try {
      return context.ir();
    } catch {
      return undefined;
    }
  };

  await assertCanSpend(env, key, started, c.executionCtx);
  const admission = await admitRequest(env, key, started);
  // Prepaid money is reserved before any upstream call; the usage event's write settles it.
  const hold = await reserveSpend(env, key, {
    requestId: c.var.requestId,
    model,
    ...(candidates[0] === undefined ? {} : { upstreamModel: candidates[0].upstreamModel }),
    inputTokens: tokensOfChars(bodyText.length),
    now: started,
  }).catch(
    async (error: unknown) => {
      await refundRequest(env, key, admission, Date.now());
      throw error;
    },
  );
  const usageBase = { requestId: c.var.requestId, key, model, clientFormat: format, stream, started };
  // An upstream's own quota headers on its error (passthrough) describe that refusal, so they win over the key's.
  const headersOf = (extra: Record<string, string>) => ({
    ...rateLimitHeaders(admission.verdict, format),
    ...extra,
    ...removedHeader,
    'x-request-id': c.var.requestId,
  });

  let result: Awaited<ReturnType<typeof runCandidates>>;
  try {
    result = await runCandidates(context, candidates);
  } catch (thrown) {
    // The relay refused the request itself (a body that does not decode, an unsupported feature): it never ran, so it costs nothing.
    c.executionCtx.waitUntil(refundRequest(env, key, admission, Date.now()).then(() => releaseRequest(env, key, admission)));
    c.executionCtx.waitUntil(releaseSpendHold(env, hold));
    throw thrown;
  }
  // The client left while an upstream was working on its request (waiting for its first content, or a
  // whole answer): the upstream did the work, so the admission is kept and the usage recorded, the
  // upstream's own figures where it gave them so far, else an estimate (settledStreamUsage).
  const abandoned = !result.ok && context.signal.aborted ? inFlight : undefined;
  if (!result.ok && abandoned !== undefined) {
    const usage = settledStreamUsage(abandoned, () => requestEstimateOf(decodedRequest(), context.bodyText.length));
    c.executionCtx.waitUntil(releaseRequest(env, key, admission, usage.usage));
    const attempt = { ...result.lastAttempt, outcome: abandoned };
    recordUsage(c, { ...usageBase, status: result.failure.status, error: result.error, attempt, aborted: true, usage, counts: result.counts });
    return new Response(result.failure.body, { status: result.failure.status, headers: headersOf(result.failure.headers) });
  }
  if (!result.ok) {
    // Nothing upstream answered successfully: the client does not pay quota for our failure.
    c.executionCtx.waitUntil(refundRequest(env, key, admission, Date.now()).then(() => releaseRequest(env, key, admission)));
    recordUsage(c, { ...usageBase, status: result.failure.status, error: result.error, attempt: result.lastAttempt, counts: result.counts });
    return new Response(result.failure.body, { status: result.failure.status, headers: headersOf(result.failure.headers) });
  }

  const attempt = result.attempt;
  const ttfbMs = Date.now() - started;
  if (typeof attempt.body === 'string') {
    afterResponse(c.executionCtx, c.var.requestId, async () => {
      attempt.settleOutcome?.();
      recordUsage(c, { ...usageBase, status: attempt.status, attempt, ttfbMs, counts: result.counts });
      await Promise.all([releaseRequest(env, key, admission, attempt.outcome.usage), keepRemembered(), attempt.afterResponse?.()]);
    });
    return new Response(attempt.body, { status: attempt.status, headers: headersOf(attempt.headers) });
  }

  // StreamRelay reports delivery itself; wrapping its stream again would cost a JS hop per chunk.
  const { stream: clientStream, delivered } = attempt.delivered === undefined ? trackDelivery(attempt.body) : { stream: attempt.body, delivered: attempt.delivered };
  c.executionCtx.waitUntil(
    settleStream(c, delivered, {
      record: { ...usageBase, status: attempt.status, attempt, ttfbMs, counts: result.counts },
      admission,
      // What the accounting may need of the request, without the request (settleStream).
      estimate: estimateLater(context.lightIr, context.bodyText.length),
      // Only an answer the relay encoded itself is observed (translation), so only then is anything kept.
      ...(attempt.upstreamFormat === format || conversation === undefined ? {} : { keep: conversation.keep }),
    }),
  );
  return new Response(clientStream, { status: attempt.status, headers: headersOf(attempt.headers) });
};

/** What a stream's accounting needs once its delivery ended: figures and ids, nothing of the request. */
interface StreamSettlement {
  record: UsageRecord & { attempt: AttemptResult };
  admission: QuotaAdmission;
  estimate: () => RequestEstimate;
  keep?: () => Promise<void>;
}

/** A stream's estimate figures, worked out only if the upstream's own counts never come (settledStreamUsage). */
const estimateLater =
  (request: () => IrRequest | undefined, bodyChars: number): (() => RequestEstimate) =>
  () =>
    requestEstimateOf(request(), bodyChars);

/**
 * Accounts for a stream once the client's side of it ended. Outside `relay` on purpose: what the
 * stream's delivery keeps alive (this function's arguments) is then all a long stream holds of its
 * request, not the pipeline's scope with the client's body, its text and its decoded form in it.
 */
const settleStream = async (c: Context<AppEnv>, delivered: Promise<Delivery>, { record, admission, estimate, keep }: StreamSettlement): Promise<void> => {
  const delivery = await delivered;
  const { attempt } = record;
  const error = attempt.outcome.error ?? (delivery === 'errored' ? toRelayError(new Error('stream failed')) : undefined);
  // An upstream that died mid-stream is our failure too: the partial answer's tokens are recorded, the request is given back.
  // A client that left is never given it back: the upstream worked for it until then.
  const upstreamFailed = delivery !== 'aborted' && error !== undefined && isRetryableKind(error.kind);
  const usage = settledStreamUsage(attempt.outcome, estimate);
  const { env } = c;
  await (upstreamFailed ? refundRequest(env, record.key, admission, Date.now(), usage.usage) : releaseRequest(env, record.key, admission, usage.usage));
  recordUsage(c, { ...record, aborted: delivery === 'aborted', error, usage });
  if (delivery === 'complete') await keep?.();
};
