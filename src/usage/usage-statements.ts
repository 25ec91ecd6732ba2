import type { UsageEvent } from './event';
import { costMicros, priceOf, type ModelPrice } from './pricing';

/** Events per statement group: each group's JSON parameter stays far below D1's 2 MB value limit. */
export const EVENTS_PER_GROUP = 500;

/** Column order of the JSON rows the insert reads (`j.value ->> n`). */
const COLUMNS = [
  'request_id', 'account_id', 'key_id', 'model', 'provider_id', 'upstream_model', 'client_format', 'upstream_format', 'status',
  'error_type', 'stream', 'aborted', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens',
  'cost_micros', 'latency_ms', 'ttfb_ms', 'created_at', 'usage_estimated',
] as const;
const CHARGED_INDEX = COLUMNS.length;

/** 1 / 0, or null when the event predates `billing` and the key's current mode decides. */
const chargedOf = (event: UsageEvent): 0 | 1 | null => {
  if (event.ledgerSettled === true || event.billing === 'subscription') return 0;
  return event.billing === 'prepaid' ? 1 : null;
};

const rowOf = (event: UsageEvent, price: ModelPrice | undefined): unknown[] => {
  const usage = event.usage;
  return [
    event.requestId, event.accountId, event.keyId, event.model, event.providerId, event.upstreamModel, event.clientFormat, event.upstreamFormat,
    event.status, event.errorType, event.stream ? 1 : 0, event.aborted ? 1 : 0, usage.inputTokens, usage.outputTokens, usage.cacheReadTokens,
    usage.cacheWriteTokens, usage.reasoningTokens, event.costMicros ?? costMicros(usage, price), event.latencyMs, event.ttfbMs, event.createdAt,
    event.usageEstimated === true ? 1 : 0, chargedOf(event),
  ];
};

/** The ingest number this write takes: the next after usage_fold.seq, read inside the write's own transaction. */
const NEXT_INGEST = '(SELECT seq + 1 FROM usage_fold WHERE id = 1)';

const groupStatements = (db: D1Database, events: readonly UsageEvent[], prices: ReadonlyMap<string, ModelPrice>): D1PreparedStatement[] => {
  const rows = JSON.stringify(events.map((event) => rowOf(event, priceOf(prices, event))));
  const keys = JSON.stringify(events.map((event) => [event.createdAt, event.requestId]));
  return [
    db
      .prepare(
        `INSERT INTO usage_events (${COLUMNS.join(', ')}, ingest, charged)
         SELECT ${COLUMNS.map((_, index) => `j.value ->> ${index}`).join(', ')}, ${NEXT_INGEST},
           COALESCE(j.value ->> ${CHARGED_INDEX}, EXISTS (SELECT 1 FROM api_keys a WHERE a.id = j.value ->> 2 AND a.billing = 'prepaid'))
         FROM json_each(?1) j WHERE true
         ON CONFLICT DO NOTHING`,
      )
      .bind(rows),
    // The fold reads from the earliest created_at written since it last ran: only rows this write inserted
    // (a redelivered event's row keeps its first number) can lower that bound, and they rarely do.
    db
      .prepare(
        `UPDATE usage_fold SET pending_from = m.earliest
         FROM (SELECT MIN(e.created_at) AS earliest FROM json_each(?1) k
               JOIN usage_events e ON e.created_at = k.value ->> 0 AND e.request_id = k.value ->> 1 WHERE e.ingest = ${NEXT_INGEST}) m
         WHERE usage_fold.id = 1 AND m.earliest IS NOT NULL AND (usage_fold.pending_from IS NULL OR m.earliest < usage_fold.pending_from)`,
      )
      .bind(keys),
  ];
};

/**
 * The writes a set of usage events causes, as statements for a single D1 batch (one transaction):
 * per EVENTS_PER_GROUP events, the event rows (keyed by (created_at, request_id), ON CONFLICT DO
 * NOTHING) stamped with this write's ingest number, and the fold's lower bound; then usage_fold.seq
 * moves to that number. D1 runs batches one at a time, so ingest numbers follow commit order and the
 * fold (usage-fold.ts), which counts each row once as its watermark passes the row's number, never
 * skips a write that committed late. A redelivered event's row already exists with its first number:
 * writing it again adds nothing anywhere. A prepaid request's reservation is not in D1: the account's
 * AccountBalance object counts its hold until the fold has charged its event. Keys are ids from the
 * relay (never the client's X-Request-Id).
 */
export const usageWriteStatements = (db: D1Database, events: readonly UsageEvent[], prices: ReadonlyMap<string, ModelPrice>): D1PreparedStatement[] => {
  // The same event twice in one write would be inserted once anyway; keeping one keeps the JSON small.
  const unique = [...new Map(events.map((event) => [`${event.createdAt}:${event.requestId}`, event])).values()];
  const statements: D1PreparedStatement[] = [];
  for (let start = 0; start < unique.length; start += EVENTS_PER_GROUP) {
    statements.push(...groupStatements(db, unique.slice(start, start + EVENTS_PER_GROUP), prices));
  }
  statements.push(db.prepare('UPDATE usage_fold SET seq = seq + 1 WHERE id = 1'));
  return statements;
};
