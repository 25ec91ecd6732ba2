import type { Context } from 'hono';
import { configOf, type AppEnv } from '../env';
import { assertKeyMayUse, modelNotFound } from '../auth/model-access';
import { RelayError } from '../errors';
import type { WireFormat } from '../ir/format';
import type { RouteInfo } from '../protocols/codec';
import { codecFor } from '../protocols/registry';
import { resolveModel } from '../routing/resolve-model';
import { loadRouteTable } from '../routing/route-table';
import { assertPublicMediaUrls } from '../net/url-safety';
import { admitTokenCount } from './count-tokens-throttle';
import { readJsonBody } from './read-body';
import { fetchUpstream } from './upstream-fetch';
import { AttemptFailure } from './attempt';
import { clientSafeFailure } from './client-safe-failure';
import { estimateRequestTokens } from './token-estimate';

/**
 * Token counting (Anthropic count_tokens, Gemini countTokens, Responses input_tokens). Asked of the first candidate upstream
 * that has a count endpoint in its format; otherwise (OpenAI Chat has none, and the mock) a local
 * estimate, marked with `x-polyrelay-token-count: estimate`. Counting is not a generation: it spends no
 * request quota, only a per-minute allowance (see count-tokens-throttle.ts).
 */
export const countTokens = async (c: Context<AppEnv>, format: WireFormat, route: RouteInfo): Promise<Response> => {
  const clientCodec = codecFor(format);
  if (clientCodec.encodeTokenCount === undefined) throw new RelayError('not_found', 404, 'token counting is not available in this format');
  const body = await readJsonBody(c.req.raw);
  assertPublicMediaUrls(clientCodec.mediaUrlsOf(body), configOf(c.env).allowPrivateUrls);
  const request = clientCodec.decodeRequest(body, route);
  const model = route.model ?? request.model;
  assertKeyMayUse(c.var.apiKey, model);
  await admitTokenCount(c.env, c.var.apiKey, Date.now());
  const candidates = resolveModel(await loadRouteTable(c.env, Date.now(), c.executionCtx), model, Date.now());
  if (candidates.length === 0) throw modelNotFound(model);

  for (const candidate of candidates) {
    if (candidate.provider.protocol === 'mock') break;
    const upstreamCodec = codecFor(candidate.formatFor(format));
    if (upstreamCodec.encodeCountTokens === undefined || upstreamCodec.decodeCountTokens === undefined) continue;
    const target = { model: candidate.upstreamModel, stream: false };
    const response = await fetchUpstream(c.env, {
      provider: candidate.provider,
      format: upstreamCodec.format,
      target,
      encoded: upstreamCodec.encodeCountTokens({ ...request, model: candidate.upstreamModel }, target),
      signal: c.req.raw.signal,
    });
    if (!response.ok) {
      const failure = new AttemptFailure(upstreamCodec.decodeError(response.status, await response.text(), response.headers), false);
      throw clientSafeFailure(failure, candidate, c.var.requestId).error;
    }
    return c.json(clientCodec.encodeTokenCount(upstreamCodec.decodeCountTokens(await response.json())) as Record<string, unknown>);
  }
  c.header('x-polyrelay-token-count', 'estimate');
  return c.json(clientCodec.encodeTokenCount(estimateRequestTokens(request)) as Record<string, unknown>);
};
