import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Quota plans. null limits = unlimited. */
export const plans = sqliteTable('plans', {
  id: text('id').primaryKey(),
  requestsPer5h: integer('requests_per_5h'),
  requestsPerWeek: integer('requests_per_week'),
  requestsPerMinute: integer('requests_per_minute'),
  maxConcurrent: integer('max_concurrent'),
  /** Input plus output tokens per minute and per day; no seeded plan sets them. */
  tokensPerMinute: integer('tokens_per_minute'),
  tokensPerDay: integer('tokens_per_day'),
  /** Whether keys on this plan may be agent keys (the /api/v1/agents subscription API). */
  agentAccess: integer('agent_access', { mode: 'boolean' }).notNull().default(false),
});

export const accounts = sqliteTable('accounts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Prepaid balance in integer micro-dollars; always the sum of the ledger. */
  balanceMicros: integer('balance_micros').notNull().default(0),
  createdAt: integer('created_at').notNull(),
  /** Rotation counter of the account's webhook signing secret (derived from WEBHOOK_SECRET, the id and this). */
  webhookSecretVersion: integer('webhook_secret_version').notNull().default(0),
  /** Where budget alerts are POSTed (signed like image-task webhooks); null = no alerts. */
  alertWebhookUrl: text('alert_webhook_url'),
  /** Monthly spend the account's alerts measure against (50, 80, 100 %); alerts only, nothing is refused. */
  monthlyBudgetMicros: integer('monthly_budget_micros'),
});

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    /** `inference`: the /v1 surfaces; `agent`: only /api/v1/agents, on the account's shared agent window. */
    kind: text('kind', { enum: ['inference', 'agent'] }).notNull().default('inference'),
    /** SHA-256 of the plaintext key, hex. The plaintext is never stored. */
    keyHash: text('key_hash').notNull(),
    /** First characters of the key, for display only. */
    displayPrefix: text('display_prefix').notNull(),
    planId: text('plan_id')
      .notNull()
      .references(() => plans.id),
    billing: text('billing', { enum: ['subscription', 'prepaid'] }).notNull().default('subscription'),
    /** JSON array of scopes, e.g. ["chat","images"]. */
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    /** JSON array of allowed public model names; null = every model. */
    models: text('models', { mode: 'json' }).$type<string[] | null>(),
    /** Per-key overrides of the plan's numbers (JSON object with the plan's column names). */
    quotaOverrides: text('quota_overrides', { mode: 'json' }).$type<Record<string, number | null> | null>(),
    monthlySpendCapMicros: integer('monthly_spend_cap_micros'),
    expiresAt: integer('expires_at'),
    revokedAt: integer('revoked_at'),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [uniqueIndex('api_keys_hash_idx').on(table.keyHash), index('api_keys_account_idx').on(table.accountId)],
);

export const providers = sqliteTable('providers', {
  id: text('id').primaryKey(),
  protocol: text('protocol', {
    enum: ['openai-chat', 'openai-responses', 'anthropic', 'gemini', 'openai-images', 'mock'],
  }).notNull(),
  baseUrl: text('base_url').notNull(),
  /** AES-GCM ciphertext of the upstream API key (iv.ciphertext, base64); never returned by the API. */
  apiKeyEncrypted: text('api_key_encrypted'),
  priority: integer('priority').notNull().default(0),
  weight: integer('weight').notNull().default(1),
  /** Extra headers sent upstream (JSON object). */
  headers: text('headers', { mode: 'json' }).$type<Record<string, string>>().notNull().default(sql`'{}'`),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  /** Per-provider timeouts in milliseconds (time to first byte, idle between stream chunks). */
  firstByteTimeoutMs: integer('first_byte_timeout_ms'),
  idleTimeoutMs: integer('idle_timeout_ms'),
  /** Retries on the same provider after a 5xx/529/connection failure before the first byte; null = the default (2). */
  maxRetries: integer('max_retries'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Which provider serves which public model, under which upstream name. */
export const modelRoutes = sqliteTable(
  'model_routes',
  {
    publicModel: text('public_model').notNull(),
    providerId: text('provider_id')
      .notNull()
      .references(() => providers.id, { onDelete: 'cascade' }),
    upstreamModel: text('upstream_model').notNull(),
    /** Optional model limits: requests asking for more output than maxOutputTokens are clamped to it. */
    contextWindow: integer('context_window'),
    maxOutputTokens: integer('max_output_tokens'),
    /** Which request field caps output for this model (OpenAI's o-series and gpt-5 refuse max_tokens); null = derived from the name. */
    outputTokenField: text('output_token_field', { enum: ['max_tokens', 'max_completion_tokens'] }),
  },
  (table) => [primaryKey({ columns: [table.publicModel, table.providerId] }), index('model_routes_provider_idx').on(table.providerId)],
);

/** Prices per public model, integer micro-dollars per 1M tokens (and per image). */
export const modelPrices = sqliteTable('model_prices', {
  model: text('model').primaryKey(),
  inputPerMillionMicros: integer('input_per_million_micros').notNull().default(0),
  outputPerMillionMicros: integer('output_per_million_micros').notNull().default(0),
  cacheReadPerMillionMicros: integer('cache_read_per_million_micros').notNull().default(0),
  cacheWritePerMillionMicros: integer('cache_write_per_million_micros').notNull().default(0),
  perImageMicros: integer('per_image_micros').notNull().default(0),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * One row per relayed request, for the raw window only (USAGE_RAW_DAYS, then R2: src/usage/archive.ts).
 * Clustered on (created_at, request_id) WITHOUT ROWID and with no secondary index (0009_capacity.sql
 * declares it; drizzle cannot), so an insert is one row written. A redelivered event carries the same
 * (created_at, request_id) and so collides with its first write.
 */
export const usageEvents = sqliteTable(
  'usage_events',
  {
    requestId: text('request_id').notNull(),
    accountId: text('account_id').notNull(),
    keyId: text('key_id').notNull(),
    model: text('model').notNull(),
    providerId: text('provider_id'),
    upstreamModel: text('upstream_model'),
    clientFormat: text('client_format').notNull(),
    upstreamFormat: text('upstream_format'),
    status: integer('status').notNull(),
    errorType: text('error_type'),
    stream: integer('stream', { mode: 'boolean' }).notNull(),
    aborted: integer('aborted', { mode: 'boolean' }).notNull().default(false),
    /** The upstream never reported usage (stream cut or abandoned first): tokens estimated from what was sent and streamed. */
    usageEstimated: integer('usage_estimated', { mode: 'boolean' }).notNull().default(false),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    cacheReadTokens: integer('cache_read_tokens').notNull().default(0),
    cacheWriteTokens: integer('cache_write_tokens').notNull().default(0),
    reasoningTokens: integer('reasoning_tokens').notNull().default(0),
    costMicros: integer('cost_micros').notNull().default(0),
    latencyMs: integer('latency_ms').notNull().default(0),
    ttfbMs: integer('ttfb_ms'),
    createdAt: integer('created_at').notNull(),
    /** The consumer write that inserted the row (usage_fold.seq at its commit): the fold counts the row once, when it passes this number. */
    ingest: integer('ingest').notNull().default(0),
    /** 1: debited from the account's prepaid balance (through the account's hourly `charge` ledger row). */
    charged: integer('charged', { mode: 'boolean' }).notNull().default(false),
  },
  // Keyset order of the CSV export, the request log and the archive sweep.
  (table) => [primaryKey({ columns: [table.createdAt, table.requestId] })],
);

/**
 * One row (id 1): where the usage fold stands. Each consumer write takes the next `seq` inside its own
 * transaction and stamps its events' `ingest` with it, so ingest numbers follow commit order. A fold
 * adds every event with folded < ingest <= seq to the rollups, hourly charges and balances, and sets
 * folded = seq, in one transaction (src/usage/usage-fold.ts).
 */
export const usageFold = sqliteTable('usage_fold', {
  id: integer('id').primaryKey(),
  /** The last ingest number given to a consumer write. */
  seq: integer('seq').notNull(),
  /** Every event with ingest <= folded is counted in usage_daily, the ledger and the balance; none above it is. */
  folded: integer('folded').notNull(),
  /** The earliest created_at among events written since the last fold (null: none), so a fold reads only that range. */
  pendingFrom: integer('pending_from'),
  foldedAt: integer('folded_at').notNull().default(0),
});

/** Per day × key × model totals, so long summaries never scan raw events. */
export const usageDaily = sqliteTable(
  'usage_daily',
  {
    day: text('day').notNull(),
    keyId: text('key_id').notNull(),
    model: text('model').notNull(),
    accountId: text('account_id').notNull(),
    requests: integer('requests').notNull().default(0),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    cacheReadTokens: integer('cache_read_tokens').notNull().default(0),
    cacheWriteTokens: integer('cache_write_tokens').notNull().default(0),
    reasoningTokens: integer('reasoning_tokens').notNull().default(0),
    costMicros: integer('cost_micros').notNull().default(0),
  },
  (table) => [
    primaryKey({ columns: [table.day, table.keyId, table.model] }),
    // The primary key leads with day; per-key and per-account summaries need their own leading column.
    index('usage_daily_key_day_idx').on(table.keyId, table.day),
    index('usage_daily_account_day_idx').on(table.accountId, table.day),
  ],
);

/**
 * Every balance change; an account's balance is the sum of its rows. Usage charges are one row per
 * account per hour (`usage:{account}:{YYYY-MM-DDTHH}h`, amount += each new event's cost); top-ups,
 * refunds, image charges and open reservations (`hold`, deleted when settled) are one row each.
 */
export const ledger = sqliteTable(
  'ledger',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    kind: text('kind', { enum: ['topup', 'charge', 'refund'] }).notNull(),
    amountMicros: integer('amount_micros').notNull(),
    /** Idempotency reference, namespaced `{source}:{account}:{id}` (source usage, image, topup or admin). */
    reference: text('reference').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [uniqueIndex('ledger_kind_reference_idx').on(table.kind, table.reference), index('ledger_account_idx').on(table.accountId)],
);

/**
 * The strongly consistent half of an image task: status and outcome, changed only by compare-and-set
 * (src/images/task-transition.ts). KV keeps the full task JSON and follows this row.
 */
export const imageTasks = sqliteTable(
  'image_tasks',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    keyId: text('key_id').notNull(),
    status: text('status', { enum: ['pending', 'running', 'completed', 'failed', 'cancelled'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    chargeMicros: integer('charge_micros').notNull().default(0),
    /** The task's concurrency lease in its key's QuotaLimiter, released when the task ends. */
    leaseId: text('lease_id'),
    providerId: text('provider_id'),
    upstreamModel: text('upstream_model'),
    /** JSON {urls} once completed. */
    result: text('result', { mode: 'json' }).$type<{ urls: string[] } | null>(),
    /** JSON {code, message}: the client-safe error. */
    error: text('error', { mode: 'json' }).$type<{ code: string; message: string } | null>(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [index('image_tasks_status_updated_idx').on(table.status, table.updatedAt), index('image_tasks_key_status_idx').on(table.keyId, table.status)],
);

/**
 * Usage events the consumer could not write after every retry, kept by the dead-letter consumer so
 * nothing is lost when a DLQ message would expire; an operator fixes the cause and replays them.
 */
export const usageDeadLetters = sqliteTable('usage_dead_letters', {
  messageId: text('message_id').primaryKey(),
  requestId: text('request_id'),
  /** The message body as JSON, exactly as queued. */
  body: text('body').notNull(),
  error: text('error').notNull(),
  receivedAt: integer('received_at').notNull(),
});

/**
 * One row per budget alert ever raised: the primary key makes each (subject, threshold, period) fire
 * once, however many isolates or consumer batches see the crossing (insert-or-ignore).
 */
export const budgetAlerts = sqliteTable(
  'budget_alerts',
  {
    /** `account_spend:{account}`, `key_spend:{key}`, `key_5h:{key}` or `key_week:{key}`. */
    subject: text('subject').notNull(),
    /** Percent of the budget, cap or window limit: 50, 80 or 100. */
    threshold: integer('threshold').notNull(),
    /** The month (`2026-12`) for spend, the window's reset instant (epoch ms) for quota windows. */
    period: text('period').notNull(),
    accountId: text('account_id').notNull(),
    /** The webhook body as sent (JSON). */
    payload: text('payload').notNull(),
    /** Delivery: `pending`, `delivered`, `failed` (every attempt refused) or `no_url`. */
    state: text('state').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.subject, table.threshold, table.period] }), index('budget_alerts_account_idx').on(table.accountId, table.createdAt)],
);
