// The relay as `npm run bench:capacity` runs it: src/index.ts unchanged, with its D1 binding and the
// Durable Objects' SQL storage (QuotaLimiter, AccountBalance, UpstreamStateOwners) wrapped to count rows written (D1's
// meta.rows_written, the cursor's rowsWritten), and a /__bench route for the counters. Bench-only:
// nothing here ships.
import relay, {
  AccountBalance as RelayAccountBalance,
  QuotaLimiter as RelayQuotaLimiter,
  UpstreamStateOwners as RelayUpstreamStateOwners,
} from '../../src/index';
import type { Env } from '../../src/env';
import { configOf } from '../../src/env';
import { pruneUsageEvents } from '../../src/usage/retention';
import { foldUsage } from '../../src/usage/usage-fold';

const counters = { d1RowsWritten: 0, d1Statements: 0, doRowsWritten: 0, admits: 0, balanceRowsWritten: 0, reservations: 0, usageBatches: 0, folds: 0 };
/** Rows written per statement shape (its first words), to show where they go. */
let breakdown: Record<string, number> = {};
const shapeOf = (sql: string): string => sql.replace(/\s+/g, ' ').trim().slice(0, 70);
const tally = (kind: string, sql: string, rows: number): void => {
  if (rows === 0) return;
  const shape = `${kind} ${shapeOf(sql)}`;
  breakdown[shape] = (breakdown[shape] ?? 0) + rows;
};

const countMeta = (result: { meta?: { rows_written?: number } } | undefined, sql = ''): void => {
  counters.d1Statements += 1;
  if (sql.startsWith('UPDATE usage_fold SET folded') && (result?.meta?.rows_written ?? 0) > 0) counters.folds += 1;
  counters.d1RowsWritten += result?.meta?.rows_written ?? 0;
  tally('D1', sql, result?.meta?.rows_written ?? 0);
};

const real = new WeakMap<object, D1PreparedStatement>();
const sqlOf = new WeakMap<object, string>();

const wrapStatement = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
  const wrapped = {
    bind: (...values: unknown[]) => wrapStatement(statement.bind(...values), sql),
    run: async () => {
      const result = await statement.run();
      countMeta(result, sql);
      return result;
    },
    all: async () => {
      const result = await statement.all();
      countMeta(result, sql);
      return result;
    },
    // first() hides meta: read all() and take the first row, as first() would.
    first: async (column?: string) => {
      const result = await statement.all<Record<string, unknown>>();
      countMeta(result, sql);
      const row = result.results[0];
      if (row === undefined) return null;
      return column === undefined ? row : row[column];
    },
    // raw() hides meta too. Reads write nothing and may repeat column names (joins), so they keep the real raw().
    raw: async (options?: { columnNames?: boolean }) => {
      if (/^\s*(select|with)\b/i.test(sql)) return options?.columnNames === true ? statement.raw({ columnNames: true }) : statement.raw();
      const result = await statement.all<Record<string, unknown>>();
      countMeta(result, sql);
      const rows = result.results.map((row) => Object.values(row));
      return options?.columnNames === true ? [Object.keys(result.results[0] ?? {}), ...rows] : rows;
    },
  } as unknown as D1PreparedStatement;
  real.set(wrapped, statement);
  sqlOf.set(wrapped, sql);
  return wrapped;
};

const countingD1 = (db: D1Database): D1Database =>
  ({
    prepare: (sql: string) => wrapStatement(db.prepare(sql), sql),
    batch: async (statements: D1PreparedStatement[]) => {
      const results = await db.batch(statements.map((statement) => real.get(statement) ?? statement));
      for (const [index, result] of results.entries()) countMeta(result, sqlOf.get(statements[index] as object) ?? '');
      return results;
    },
    exec: (sql: string) => db.exec(sql),
    withSession: () => countingD1(db),
    dump: () => db.dump(),
  }) as unknown as D1Database;

const wrappedEnvs = new WeakMap<Env, Env>();
const counted = (env: Env): Env => {
  let wrapped = wrappedEnvs.get(env);
  if (wrapped === undefined) {
    wrapped = { ...env, DB: countingD1(env.DB) };
    wrappedEnvs.set(env, wrapped);
  }
  return wrapped;
};

/** Makes an object's storage sql.exec count each statement's rowsWritten once it has run. */
const countRowsWritten = (ctx: DurableObjectState, kind: string, add: (rows: number) => void): void => {
  const sql = ctx.storage.sql;
  const exec = sql.exec.bind(sql);
  // The runtime refuses a Proxy for the state, so the one method is replaced on the storage's own sql object.
  Object.defineProperty(sql, 'exec', {
    configurable: true,
    value: (query: string, ...bindings: unknown[]) => {
      const cursor = exec(query, ...bindings);
      // Writes without RETURNING run to completion inside exec(); reading rowsWritten now counts them.
      add(cursor.rowsWritten);
      tally(kind, query, cursor.rowsWritten);
      return cursor;
    },
  });
};

/** The real limiter, counting its rows written and its admissions. */
export class QuotaLimiter extends RelayQuotaLimiter {
  constructor(ctx: DurableObjectState, env: Env) {
    countRowsWritten(ctx, 'DO', (rows) => (counters.doRowsWritten += rows));
    super(ctx, env);
  }

  override admit(...args: Parameters<RelayQuotaLimiter['admit']>): ReturnType<RelayQuotaLimiter['admit']> {
    counters.admits += 1;
    return super.admit(...args);
  }
}

/** The real balance object, counting its rows written and its reservations; its D1 reads go through the counting binding too. */
export class AccountBalance extends RelayAccountBalance {
  constructor(ctx: DurableObjectState, env: Env) {
    countRowsWritten(ctx, 'balance DO', (rows) => (counters.balanceRowsWritten += rows));
    super(ctx, counted(env));
  }

  override reserve(...args: Parameters<RelayAccountBalance['reserve']>): ReturnType<RelayAccountBalance['reserve']> {
    counters.reservations += 1;
    return super.reserve(...args);
  }
}

/** The real owner records of stored upstream Responses answers; their rows written show in the breakdown by statement. */
export class UpstreamStateOwners extends RelayUpstreamStateOwners {
  constructor(ctx: DurableObjectState, env: Env) {
    countRowsWritten(ctx, 'owners DO', () => undefined);
    super(ctx, env);
  }
}

const benchRoute = async (request: Request, env: Env): Promise<Response> => {
  const url = new URL(request.url);
  if (url.pathname === '/__bench/counters') return Response.json({ ...counters, breakdown });
  if (url.pathname === '/__bench/reset') {
    Object.assign(counters, { d1RowsWritten: 0, d1Statements: 0, doRowsWritten: 0, admits: 0, balanceRowsWritten: 0, reservations: 0, usageBatches: 0, folds: 0 });
    breakdown = {};
    return Response.json(counters);
  }
  // Reservations still open in the accounts' balance objects (each reads D1 first, so settled ones are gone).
  if (url.pathname === '/__bench/open-holds') {
    const accounts = await env.DB.prepare("SELECT DISTINCT account_id AS id FROM api_keys WHERE billing = 'prepaid'").all<{ id: string }>();
    let openHolds = 0;
    for (const { id } of accounts.results) openHolds += (await env.ACCOUNT_BALANCE.get(env.ACCOUNT_BALANCE.idFromName(id)).status({ accountId: id })).openHolds;
    return Response.json({ openHolds });
  }
  // The cron's backstop fold, as it runs once the interval has passed since the last one.
  if (url.pathname === '/__bench/fold') {
    const intervalMs = configOf(env).usageFoldMs;
    const subjects = await foldUsage(counted(env), { now: Date.now() + intervalMs, intervalMs });
    return Response.json({ intervalMs, subjects: subjects.length });
  }
  if (url.pathname === '/__bench/prune') {
    const outcome = await pruneUsageEvents(counted(env), Number(url.searchParams.get('now')), { budgetMs: 600_000 });
    return Response.json(outcome);
  }
  return new Response('not found', { status: 404 });
};

export default {
  fetch: (request, env, ctx) => (new URL(request.url).pathname.startsWith('/__bench/') ? benchRoute(request, env) : relay.fetch(request, counted(env), ctx)),
  queue: (batch, env, ctx) => {
    // Rows shared by a batch (rollups, an account's charge and balance) weigh per request by the batch's size, which follows the load.
    if (batch.queue === 'polyrelay-usage') counters.usageBatches += 1;
    return relay.queue(batch, counted(env), ctx);
  },
  scheduled: (controller, env, ctx) => relay.scheduled(controller, counted(env), ctx),
} satisfies ExportedHandler<Env>;
