import { dayOf } from './days';
import type { UsageEvent } from './event';
import { usageChargeStatements } from './ledger';
import { costMicros, type ModelPrice } from './pricing';

/**
 * Every write one usage event causes, as statements for a single D1 batch (one transaction):
 * 1. the event row, keyed by request id, ON CONFLICT DO NOTHING;
 * 2. the day × key × model rollup, bumped only when (1) inserted a row (changes() = 1);
 * 3. for prepaid keys, the request's reservation released and the charge ledger row and balance move,
 *    keyed by the same request id, unless the event is `ledgerSettled` (its producer already charged it).
 * Each step is a no-op when its row already exists, so running the group twice writes nothing twice.
 */
export const usageEventStatements = (db: D1Database, event: UsageEvent, price: ModelPrice | undefined): D1PreparedStatement[] => {
  const usage = event.usage;
  const cost = event.costMicros ?? costMicros(usage, price);
  return [
    db
      .prepare(
        `INSERT INTO usage_events (request_id, account_id, key_id, model, provider_id, upstream_model, client_format, upstream_format,
          status, error_type, stream, aborted, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
          cost_micros, latency_ms, ttfb_ms, created_at, usage_estimated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)
         ON CONFLICT (request_id) DO NOTHING`,
      )
      .bind(
        event.requestId, event.accountId, event.keyId, event.model, event.providerId, event.upstreamModel, event.clientFormat,
        event.upstreamFormat, event.status, event.errorType, event.stream ? 1 : 0, event.aborted ? 1 : 0, usage.inputTokens,
        usage.outputTokens, usage.cacheReadTokens, usage.cacheWriteTokens, usage.reasoningTokens, cost, event.latencyMs, event.ttfbMs,
        event.createdAt, event.usageEstimated === true ? 1 : 0,
      ),
    db
      .prepare(
        `INSERT INTO usage_daily (day, key_id, model, account_id, requests, input_tokens, output_tokens, cache_read_tokens,
          cache_write_tokens, reasoning_tokens, cost_micros)
         SELECT ?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9, ?10 WHERE changes() = 1
         ON CONFLICT (day, key_id, model) DO UPDATE SET requests = requests + 1, input_tokens = input_tokens + excluded.input_tokens,
           output_tokens = output_tokens + excluded.output_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
           cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
           cost_micros = cost_micros + excluded.cost_micros`,
      )
      .bind(
        dayOf(event.createdAt), event.keyId, event.model, event.accountId, usage.inputTokens, usage.outputTokens, usage.cacheReadTokens,
        usage.cacheWriteTokens, usage.reasoningTokens, cost,
      ),
    ...(event.billing === 'subscription' || event.ledgerSettled === true ? [] : usageChargeStatements(db, event, event.billing ?? null)),
  ];
};
