import type { Context } from 'hono';
import type { AuthenticatedKey } from '../auth/key-record';
import type { AppEnv, Env } from '../env';
import type { RelayError } from '../errors';
import type { WireFormat } from '../ir/format';
import { emptyUsage, type IrUsage } from '../ir/usage';
import type { UsageEvent } from '../usage/event';
import type { AttemptResult } from './attempt';
import { shrinkSpendHold } from '../usage/shrink-hold';
import { persistUsageEvents } from '../usage/usage-fallback';
import { queueUsageEvent, type UsageSink } from './usage-batch';
import type { AttemptCounts } from './fallback';
import { logRequest, requestLogLine } from './request-log';

const usageSinkOf = (env: Env): UsageSink => ({ queue: env.USAGE_QUEUE, persist: (events) => persistUsageEvents(env, events) });

export interface UsageRecord {
  requestId: string;
  key: AuthenticatedKey;
  model: string;
  clientFormat: WireFormat;
  stream: boolean;
  started: number;
  status: number;
  attempt?: Partial<Pick<AttemptResult, 'candidate' | 'upstreamFormat' | 'outcome'>>;
  error?: RelayError;
  ttfbMs?: number;
  aborted?: boolean;
  /** Overrides the attempt's reported usage (an estimate for a stream that ended without one). */
  usage?: { usage: IrUsage; estimated: boolean };
  /** Retries and fallbacks the attempt engine made (for the request log). */
  counts?: AttemptCounts;
}

/**
 * Builds the usage event and hands it to the usage queue (batched, see usage-batch) without the client
 * waiting for it; the same event is the request's one log line (request-log.ts).
 */
export const recordUsage = (c: Context<AppEnv>, record: UsageRecord): void => {
  const now = Date.now();
  const event: UsageEvent = {
    requestId: record.requestId,
    accountId: record.key.accountId,
    keyId: record.key.id,
    billing: record.key.billing,
    model: record.model,
    providerId: record.attempt?.candidate?.provider.id ?? null,
    upstreamModel: record.attempt?.candidate?.upstreamModel ?? null,
    clientFormat: record.clientFormat,
    upstreamFormat: record.attempt?.upstreamFormat ?? null,
    status: record.error?.status ?? record.status,
    errorType: record.error?.kind ?? null,
    stream: record.stream,
    aborted: record.aborted ?? false,
    usage: record.usage?.usage ?? record.attempt?.outcome?.usage ?? emptyUsage(),
    usageEstimated: record.usage?.estimated ?? record.attempt?.outcome?.estimated ?? false,
    latencyMs: now - record.started,
    ttfbMs: record.ttfbMs ?? null,
    createdAt: record.started,
  };
  queueUsageEvent(c.executionCtx, usageSinkOf(c.env), event);
  if (event.billing === 'prepaid') {
    c.executionCtx.waitUntil(
      shrinkSpendHold(c.env, event).catch((error: unknown) =>
        // The queue's settlement still returns the hold; only the early release was lost.
        console.error(JSON.stringify({ message: 'spend hold shrink failed', requestId: event.requestId, error: String(error) })),
      ),
    );
  }
  logRequest(c.executionCtx, requestLogLine(event, record.error, record.counts));
};
