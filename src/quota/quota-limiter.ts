import { DurableObject } from 'cloudflare:workers';
import type { QuotaLimits } from '../auth/key-record';
import type { Env } from '../env';
import type {
  AdmitInput,
  QuotaRefusalReason,
  QuotaSnapshot,
  QuotaVerdict,
  RefundInput,
  StatusInput,
} from './verdict';
import {
  CONCURRENCY_RETRY_SECONDS,
  LEASE_TTL_MS,
  WINDOW_LENGTH_MS,
  WINDOW_NAMES,
  consume,
  currentWindow,
  giveBack,
  hasRoom,
  secondsUntil,
  viewWindow,
} from './windows';
import type { WindowName, WindowState, WindowView } from './windows';

type StateRow = {
  five_hour_start: number | null;
  five_hour_count: number;
  week_start: number | null;
  week_count: number;
  minute_start: number | null;
  minute_count: number;
};
type AdmissionRow = { five_hour_start: number | null; week_start: number | null };
type LeaseRow = { id: string; lease_expires_at: number };
type Windows = Record<WindowName, WindowState | null>;
type WindowLimits = Record<WindowName, number | null>;

/**
 * One row holds every window, so an admission writes at most two rows: this one and its admission row
 * (which also carries its concurrency lease; WITHOUT ROWID, so its key is the table and no index row is
 * written beside it). Live leases are read once per load into memory, so no index on them is kept.
 * Dead admissions are pruned by the alarm in bounded chunks, never inside admit().
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS quota_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    five_hour_start INTEGER, five_hour_count INTEGER NOT NULL DEFAULT 0,
    week_start INTEGER, week_count INTEGER NOT NULL DEFAULT 0,
    minute_start INTEGER, minute_count INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE IF NOT EXISTS admission (
    id TEXT PRIMARY KEY,
    five_hour_start INTEGER,
    week_start INTEGER,
    lease_expires_at INTEGER
  ) WITHOUT ROWID;
`;

/** Rows deleted per alarm run: small enough that admissions queued behind it wait well under a millisecond or so. */
const PRUNE_CHUNK = 500;

const STATE_COLUMNS: Record<WindowName, [string, string]> = {
  '5h': ['five_hour_start', 'five_hour_count'],
  week: ['week_start', 'week_count'],
  minute: ['minute_start', 'minute_count'],
};

const isWindowName = (name: string): name is WindowName => (WINDOW_NAMES as readonly string[]).includes(name);

/** Prepaid keys are billed by balance, so the sold request windows do not apply to them. */
const windowLimits = (limits: QuotaLimits, countsTowardQuota: boolean): WindowLimits => ({
  '5h': countsTowardQuota ? limits.requestsPer5h : null,
  week: countsTowardQuota ? limits.requestsPerWeek : null,
  minute: limits.requestsPerMinute,
});

/**
 * One instance per inference key, and one per account for all its agent keys (limiterNameOf). Every
 * decision is a single synchronous run over in-memory window state plus local SQLite, with no await
 * in between, so concurrent requests to the same limiter are serialised by the object itself and
 * admission is exact. Live leases are kept in memory too (loaded once), so admit() never scans a table.
 */
export class QuotaLimiter extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private windows: Windows = { '5h': null, week: null, minute: null };
  /** Live concurrency leases: admission id → expiry. Mirrors admission.lease_expires_at. */
  private readonly leases = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(SCHEMA);
      this.upgradeStorage();
      const state = this.sql.exec<StateRow>('SELECT * FROM quota_state WHERE id = 1').toArray()[0];
      if (state !== undefined) {
        for (const name of WINDOW_NAMES) {
          const [startColumn, countColumn] = STATE_COLUMNS[name];
          const startedAt = state[startColumn as keyof StateRow];
          if (startedAt !== null) this.windows[name] = { startedAt, count: state[countColumn as keyof StateRow] ?? 0 };
        }
      }
      for (const row of this.sql.exec<LeaseRow>('SELECT id, lease_expires_at FROM admission WHERE lease_expires_at IS NOT NULL')) {
        this.leases.set(row.id, row.lease_expires_at);
      }
    });
  }

  admit(input: AdmitInput): QuotaVerdict {
    const { now } = input;
    const limits = windowLimits(input.limits, input.countsTowardQuota);
    const before = this.views(limits, now);
    const admissionId = crypto.randomUUID();

    const refusals: { reason: QuotaRefusalReason; retryAfterSeconds: number }[] = [];
    const windowChecks: [QuotaRefusalReason, WindowView][] = [
      ['5h', before.fiveHour],
      ['week', before.week],
      ['minute', before.minute],
    ];
    for (const [reason, view] of windowChecks) {
      if (!hasRoom(view)) refusals.push({ reason, retryAfterSeconds: secondsUntil(view.reset, now) });
    }
    const maxConcurrent = input.limits.maxConcurrent;
    if (maxConcurrent !== null && this.activeLeases(now) >= maxConcurrent) {
      refusals.push({ reason: 'concurrency', retryAfterSeconds: CONCURRENCY_RETRY_SECONDS });
    }
    if (refusals.length > 0) {
      // Report the limit that keeps the request out longest: waiting for any shorter one would not help.
      const binding = refusals.reduce((worst, next) =>
        next.retryAfterSeconds > worst.retryAfterSeconds ? next : worst,
      );
      return { allowed: false, ...before, ...binding, admissionId, decidedAt: now };
    }

    const next: Windows = { ...this.windows };
    let changed = false;
    for (const name of WINDOW_NAMES) {
      if (limits[name] === null) continue;
      next[name] = consume(this.windows[name], now, WINDOW_LENGTH_MS[name]);
      changed = true;
    }
    const leaseExpires = maxConcurrent === null ? null : now + LEASE_TTL_MS;
    const fiveHourStart = limits['5h'] === null ? null : (next['5h']?.startedAt ?? null);
    const weekStart = limits.week === null ? null : (next.week?.startedAt ?? null);
    const opensQuotaWindow = this.opensQuotaWindow(limits, now);

    this.ctx.storage.transactionSync(() => {
      if (changed) this.writeState(next);
      if (fiveHourStart !== null || weekStart !== null || leaseExpires !== null) {
        this.sql.exec(
          'INSERT INTO admission (id, five_hour_start, week_start, lease_expires_at) VALUES (?, ?, ?, ?)',
          admissionId,
          fiveHourStart,
          weekStart,
          leaseExpires,
        );
      }
    });
    this.windows = next;
    if (leaseExpires !== null) this.leases.set(admissionId, leaseExpires);
    // Admissions counted in a window that just ended can no longer be refunded: the alarm clears them.
    if (opensQuotaWindow) void this.ctx.storage.setAlarm(Date.now());

    const after = this.views(limits, now);
    return leaseExpires === null
      ? { allowed: true, ...after, retryAfterSeconds: 0, admissionId, decidedAt: now }
      : { allowed: true, ...after, retryAfterSeconds: 0, leaseId: admissionId, admissionId, decidedAt: now };
  }

  /** Gives an admitted request back to the windows it was counted in, once; also ends its lease. */
  refund(input: RefundInput): boolean {
    const { admissionId, leaseId, now } = input;
    const next: Windows = { ...this.windows };
    let stateChanged = false;
    const refunded = this.ctx.storage.transactionSync(() => {
      if (leaseId !== undefined && leaseId !== admissionId) this.endLease(leaseId);
      const row = this.sql
        .exec<AdmissionRow>('DELETE FROM admission WHERE id = ? RETURNING five_hour_start, week_start', admissionId)
        .toArray()[0];
      this.leases.delete(admissionId);
      if (row === undefined) return false;
      const countedIn: [WindowName, number | null][] = [['5h', row.five_hour_start], ['week', row.week_start]];
      for (const [name, startedAt] of countedIn) {
        if (startedAt === null) continue;
        const restored = giveBack(this.windows[name], startedAt, now, WINDOW_LENGTH_MS[name]);
        if (restored === null) continue;
        next[name] = restored;
        stateChanged = true;
      }
      if (stateChanged) this.writeState(next);
      return true;
    });
    this.windows = next;
    return refunded;
  }

  /** Ends a concurrency lease; true when the lease was still held. Releasing twice is harmless. */
  release(input: { leaseId: string }): boolean {
    return this.endLease(input.leaseId);
  }

  status(input: StatusInput): QuotaSnapshot {
    const limits = windowLimits(input.limits, input.countsTowardQuota);
    return {
      ...this.views(limits, input.now),
      concurrency: { limit: input.limits.maxConcurrent, active: this.activeLeases(input.now) },
    };
  }

  /** Admin reset: every window starts afresh at the next request. In-flight leases stay held until released. */
  reset(): void {
    this.ctx.storage.transactionSync(() => {
      this.sql.exec('DELETE FROM quota_state');
      this.sql.exec('UPDATE admission SET five_hour_start = NULL, week_start = NULL');
      this.sql.exec('DELETE FROM admission WHERE lease_expires_at IS NULL');
    });
    this.windows = { '5h': null, week: null, minute: null };
  }

  /**
   * Deletes, one bounded chunk per run, admissions that can no longer be refunded (counted in no window
   * in force) and hold no live lease; re-arms itself while more remain, so a week of rows never stalls
   * the key's admissions behind one long statement.
   */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const deleted = this.sql.exec(
      `DELETE FROM admission WHERE id IN (
         SELECT id FROM admission
         WHERE (five_hour_start IS NULL OR five_hour_start IS NOT ?)
           AND (week_start IS NULL OR week_start IS NOT ?)
           AND (lease_expires_at IS NULL OR lease_expires_at <= ?)
         LIMIT ?)`,
      this.windows['5h']?.startedAt ?? null,
      this.windows.week?.startedAt ?? null,
      now,
      PRUNE_CHUNK,
    ).rowsWritten;
    if (deleted >= PRUNE_CHUNK) await this.ctx.storage.setAlarm(Date.now());
  }

  private views(limits: WindowLimits, now: number): { fiveHour: WindowView; week: WindowView; minute: WindowView } {
    return {
      fiveHour: viewWindow(this.windows['5h'], limits['5h'], now, WINDOW_LENGTH_MS['5h']),
      week: viewWindow(this.windows.week, limits.week, now, WINDOW_LENGTH_MS.week),
      minute: viewWindow(this.windows.minute, limits.minute, now, WINDOW_LENGTH_MS.minute),
    };
  }

  /** Live leases at `now`; expired ones are forgotten here (their rows go with the next prune). */
  private activeLeases(now: number): number {
    let active = 0;
    for (const [id, expires] of this.leases) {
      if (expires > now) active++;
      else this.leases.delete(id);
    }
    return active;
  }

  private endLease(leaseId: string): boolean {
    const held = this.leases.delete(leaseId);
    // A lease whose admission counts in no window has nothing left to refund: the row goes with it.
    this.sql.exec('DELETE FROM admission WHERE id = ? AND five_hour_start IS NULL AND week_start IS NULL', leaseId);
    this.sql.exec('UPDATE admission SET lease_expires_at = NULL WHERE id = ?', leaseId);
    return held;
  }

  private writeState(windows: Windows): void {
    this.sql.exec(
      `INSERT INTO quota_state (id, five_hour_start, five_hour_count, week_start, week_count, minute_start, minute_count)
       VALUES (1, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET five_hour_start = excluded.five_hour_start, five_hour_count = excluded.five_hour_count,
         week_start = excluded.week_start, week_count = excluded.week_count,
         minute_start = excluded.minute_start, minute_count = excluded.minute_count`,
      windows['5h']?.startedAt ?? null,
      windows['5h']?.count ?? 0,
      windows.week?.startedAt ?? null,
      windows.week?.count ?? 0,
      windows.minute?.startedAt ?? null,
      windows.minute?.count ?? 0,
    );
  }

  private opensQuotaWindow(limits: WindowLimits, now: number): boolean {
    const opens = (name: '5h' | 'week'): boolean =>
      limits[name] !== null && this.windows[name] !== null && currentWindow(this.windows[name], now, WINDOW_LENGTH_MS[name]) === null;
    return opens('5h') || opens('week');
  }

  /**
   * Objects created before the one-row state kept a row per window (quota_window) and leases in their
   * own table: both move into the current layout once, on first load.
   */
  private upgradeStorage(): void {
    const columns = this.sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('admission')").toArray();
    if (!columns.some((column) => column.name === 'lease_expires_at')) {
      this.sql.exec('ALTER TABLE admission ADD COLUMN lease_expires_at INTEGER');
    }
    const tables = new Set(this.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((row) => row.name));
    if (tables.has('quota_window')) {
      const windows: Windows = { '5h': null, week: null, minute: null };
      for (const row of this.sql.exec<{ name: string; started_at: number; count: number }>('SELECT name, started_at, count FROM quota_window')) {
        if (isWindowName(row.name)) windows[row.name] = { startedAt: row.started_at, count: row.count };
      }
      this.writeState(windows);
      this.sql.exec('DROP TABLE quota_window');
    }
    if (tables.has('lease')) {
      this.sql.exec('INSERT OR IGNORE INTO admission (id, lease_expires_at) SELECT id, expires_at FROM lease');
      this.sql.exec('DROP TABLE lease');
    }
  }
}
