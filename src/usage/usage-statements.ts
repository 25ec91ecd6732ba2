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

/** The rows this write inserted: the group's keys joined to the table, only where the row carries this write's mark. */
const INSERTED = `inserted AS (
  SELECT e.* FROM json_each(?1) k JOIN usage_events e ON e.created_at = k.value ->> 0 AND e.request_id = k.value ->> 1 WHERE e.ingest = ?2)`;

/** `usage:{account}:{YYYY-MM-DDTHH}h`: the account's hourly charge row (ledgerReference shape, so statements split it). */
const HOUR_REFERENCE = `'usage:' || account_id || ':' || strftime('%Y-%m-%dT%H', created_at / 1000, 'unixepoch') || 'h'`;

const groupStatements = (db: D1Database, events: readonly UsageEvent[], prices: ReadonlyMap<string, ModelPrice>, ingest: number): D1PreparedStatement[] => {
  const rows = JSON.stringify(events.map((event) => rowOf(event, priceOf(prices, event))));
  const keys = JSON.stringify(events.map((event) => [event.createdAt, event.requestId]));
  return [
    db
      .prepare(
        `INSERT INTO usage_events (${COLUMNS.join(', ')}, ingest, charged)
         SELECT ${COLUMNS.map((_, index) => `j.value ->> ${index}`).join(', ')}, ?2,
           COALESCE(j.value ->> ${CHARGED_INDEX}, EXISTS (SELECT 1 FROM api_keys a WHERE a.id = j.value ->> 2 AND a.billing = 'prepaid'))
         FROM json_each(?1) j WHERE true
         ON CONFLICT DO NOTHING`,
      )
      .bind(rows, ingest),
    db
      .prepare(
        `WITH ${INSERTED}
         INSERT INTO usage_daily (day, key_id, model, account_id, requests, input_tokens, output_tokens, cache_read_tokens,
           cache_write_tokens, reasoning_tokens, cost_micros)
         SELECT strftime('%Y-%m-%d', created_at / 1000, 'unixepoch'), key_id, model, MAX(account_id), COUNT(*), SUM(input_tokens), SUM(output_tokens),
           SUM(cache_read_tokens), SUM(cache_write_tokens), SUM(reasoning_tokens), SUM(cost_micros)
         FROM inserted WHERE true GROUP BY 1, 2, 3
         ON CONFLICT (day, key_id, model) DO UPDATE SET requests = requests + excluded.requests, input_tokens = input_tokens + excluded.input_tokens,
           output_tokens = output_tokens + excluded.output_tokens, cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
           cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
           cost_micros = cost_micros + excluded.cost_micros`,
      )
      .bind(keys, ingest),
    db
      .prepare(
        `WITH ${INSERTED}
         INSERT INTO ledger (id, account_id, kind, amount_micros, reference, created_at)
         SELECT 'led_charge_' || reference, account_id, 'charge', -SUM(cost_micros), reference, MIN(created_at / 3600000 * 3600000)
         FROM (SELECT account_id, cost_micros, created_at, ${HOUR_REFERENCE} AS reference FROM inserted
               WHERE charged = 1 AND cost_micros > 0 AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = inserted.account_id))
         WHERE true GROUP BY reference
         ON CONFLICT (id) DO UPDATE SET amount_micros = amount_micros + excluded.amount_micros`,
      )
      .bind(keys, ingest),
    // The balance moves by exactly what the ledger gained: the charges above.
    db
      .prepare(
        `WITH ${INSERTED}
         UPDATE accounts SET balance_micros = balance_micros + m.delta
         FROM (SELECT account_id, -SUM(cost_micros) AS delta FROM inserted WHERE charged = 1 AND cost_micros > 0 GROUP BY account_id) m
         WHERE accounts.id = m.account_id`,
      )
      .bind(keys, ingest),
  ];
};

/** A fresh mark for one write attempt; a retry of the same events gets another, and finds its rows already there. */
export const newIngestMark = (): number => 1 + Math.floor(Math.random() * (Number.MAX_SAFE_INTEGER - 1));

/**
 * Every write a set of usage events causes, as statements for a single D1 batch (one transaction),
 * a fixed four per EVENTS_PER_GROUP events whatever the batch size:
 * 1. the event rows, keyed by (created_at, request_id), ON CONFLICT DO NOTHING, each marked `ingest`;
 * 2. the day × key × model rollups, bumped by the rows this write inserted (grouped, so one row written per group);
 * 3. for prepaid events, the account's hourly charge row, `amount += ` their cost;
 * 4. the balance, moved by those charges.
 * A prepaid request's reservation is not in D1: the account's AccountBalance object sees the event row
 * written (with the charge, in this same transaction) and stops counting the hold. A redelivered event's row already exists, so it carries an older mark and counts nowhere: running the
 * statements again writes nothing twice. Keys are ids from the relay (never the client's X-Request-Id).
 */
export const usageWriteStatements = (
  db: D1Database,
  events: readonly UsageEvent[],
  prices: ReadonlyMap<string, ModelPrice>,
  ingest = newIngestMark(),
): D1PreparedStatement[] => {
  // The same event twice in one write would join its row twice and count double: keep one.
  const unique = [...new Map(events.map((event) => [`${event.createdAt}:${event.requestId}`, event])).values()];
  const statements: D1PreparedStatement[] = [];
  for (let start = 0; start < unique.length; start += EVENTS_PER_GROUP) {
    statements.push(...groupStatements(db, unique.slice(start, start + EVENTS_PER_GROUP), prices, ingest));
  }
  return statements;
};
