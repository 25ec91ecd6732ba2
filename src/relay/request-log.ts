import type { RelayError } from '../errors';
import type { UsageEvent } from '../usage/event';
import type { AttemptCounts } from './fallback';
import { failureClassOf } from './upstream-failure';

/**
 * The one log line of a relayed request, as Workers Logs indexes it: flat JSON fields to filter on
 * (`$metadata` fields such as `status`, `keyId`, `errorKind`). Identifiers and figures only: no
 * prompt or answer text, no key material, no upstream error wording (it can echo the request).
 */
export interface RequestLogLine {
  message: 'relay request';
  requestId: string;
  keyId: string;
  accountId: string;
  model: string;
  providerId: string | null;
  upstreamModel: string | null;
  clientFormat: string;
  upstreamFormat: string | null;
  stream: boolean;
  status: number;
  ttfbMs: number | null;
  durationMs: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  usageEstimated: boolean;
  retries: number;
  fallbacks: number;
  aborted: boolean;
  errorKind: string | null;
  /** What failed upstream: dns, connect, tls, timeout, network, or status (the upstream answered with an error). */
  upstreamFailure: string | null;
  upstreamStatus: number | null;
}

export const requestLogLine = (event: UsageEvent, error: RelayError | undefined, counts: AttemptCounts | undefined): RequestLogLine => ({
  message: 'relay request',
  requestId: event.requestId,
  keyId: event.keyId,
  accountId: event.accountId,
  model: event.model,
  providerId: event.providerId,
  upstreamModel: event.upstreamModel,
  clientFormat: event.clientFormat,
  upstreamFormat: event.upstreamFormat,
  stream: event.stream,
  status: event.status,
  ttfbMs: event.ttfbMs,
  durationMs: event.latencyMs,
  inputTokens: event.usage.inputTokens,
  outputTokens: event.usage.outputTokens,
  cacheReadTokens: event.usage.cacheReadTokens,
  cacheWriteTokens: event.usage.cacheWriteTokens,
  reasoningTokens: event.usage.reasoningTokens,
  usageEstimated: event.usageEstimated ?? false,
  retries: counts?.retries ?? 0,
  fallbacks: counts?.fallbacks ?? 0,
  aborted: event.aborted,
  errorKind: event.errorType,
  upstreamFailure: failureClassOf(error) ?? null,
  upstreamStatus: error?.upstreamStatus ?? null,
});

/** Writes the line one timer turn after the caller, kept alive by waitUntil, so it never sits on a response or stream path. */
export const logRequest = (ctx: { waitUntil(promise: Promise<unknown>): void }, line: RequestLogLine): void => {
  ctx.waitUntil(new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => console.log(JSON.stringify(line))));
};
