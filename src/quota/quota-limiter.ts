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

type WindowRow = { name: string; started_at: number; count: number };
type AdmissionRow = { five_hour_start: number | null; week_start: number | null };
type CountRow = { active: number };
type Windows = Record<WindowName, WindowState | null>;
type WindowLimits = Record<WindowName, number | null>;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS quota_window (
    name TEXT PRIMARY KEY,
    started_at INTEGER NOT NULL,
    count INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS admission (
    id TEXT PRIMARY KEY,
    five_hour_start INTEGER,
    week_start INTEGER
  );
  CREATE TABLE IF NOT EXISTS lease (
    id TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  );
`;

const isWindowName = (name: string): name is WindowName => (WINDOW_NAMES as readonly string[]).includes(name);

/** Prepaid keys are billed by balance, so the sold request windows do not apply to them. */
const windowLimits = (limits: QuotaLimits, countsTowardQuota: boolean): WindowLimits => ({
  '5h': countsTowardQuota ? limits.requestsPer5h : null,
  week: countsTowardQuota ? limits.requestsPerWeek : null,
  minute: limits.requestsPerMinute,
});

/**
 * One instance per API key (idFromName(key.id)). Every decision is a single synchronous run over
 * in-memory window state plus local SQLite, with no await in between, so concurrent requests to the
 * same key are serialised by the object itself and admission is exact.
 */
export class QuotaLimiter extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private windows: Windows = { '5h': null, week: null, minute: null };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(SCHEMA);
      for (const row of this.sql.exec<WindowRow>('SELECT name, started_at, count FROM quota_window')) {
        if (isWindowName(row.name)) this.windows[row.name] = { startedAt: row.started_at, count: row.count };
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
    for (const name of WINDOW_NAMES) {
      if (limits[name] !== null) next[name] = consume(this.windows[name], now, WINDOW_LENGTH_MS[name]);
    }
    const leaseId = maxConcurrent === null ? undefined : crypto.randomUUID();

    this.ctx.storage.transactionSync(() => {
      for (const name of WINDOW_NAMES) {
        const state = next[name];
        if (state !== null && state !== this.windows[name]) this.writeWindow(name, state);
      }
      const fiveHourStart = limits['5h'] === null ? null : (next['5h']?.startedAt ?? null);
      const weekStart = limits.week === null ? null : (next.week?.startedAt ?? null);
      if (fiveHourStart !== null || weekStart !== null) {
        if (this.opensQuotaWindow(limits, now)) this.pruneAdmissions(next, now);
        this.sql.exec(
          'INSERT INTO admission (id, five_hour_start, week_start) VALUES (?, ?, ?)',
          admissionId,
          fiveHourStart,
          weekStart,
        );
      }
      if (leaseId !== undefined) {
        this.sql.exec('DELETE FROM lease WHERE expires_at <= ?', now);
        this.sql.exec('INSERT INTO lease (id, expires_at) VALUES (?, ?)', leaseId, now + LEASE_TTL_MS);
      }
    });
    this.windows = next;

    const after = this.views(limits, now);
    return leaseId === undefined
      ? { allowed: true, ...after, retryAfterSeconds: 0, admissionId, decidedAt: now }
      : { allowed: true, ...after, retryAfterSeconds: 0, leaseId, admissionId, decidedAt: now };
  }

  /** Gives an admitted request back to the windows it was counted in, once; also ends its lease. */
  refund(input: RefundInput): boolean {
    const { admissionId, leaseId, now } = input;
    const next: Windows = { ...this.windows };
    const refunded = this.ctx.storage.transactionSync(() => {
      if (leaseId !== undefined) this.sql.exec('DELETE FROM lease WHERE id = ?', leaseId);
      const row = this.sql
        .exec<AdmissionRow>('DELETE FROM admission WHERE id = ? RETURNING five_hour_start, week_start', admissionId)
        .toArray()[0];
      if (row === undefined) return false;
      const countedIn: [WindowName, number | null][] = [['5h', row.five_hour_start], ['week', row.week_start]];
      for (const [name, startedAt] of countedIn) {
        if (startedAt === null) continue;
        const restored = giveBack(this.windows[name], startedAt, now, WINDOW_LENGTH_MS[name]);
        if (restored === null) continue;
        this.writeWindow(name, restored);
        next[name] = restored;
      }
      return true;
    });
    this.windows = next;
    return refunded;
  }

  /** Ends a concurrency lease; true when the lease was still held. Releasing twice is harmless. */
  release(input: { leaseId: string }): boolean {
    return this.sql.exec('DELETE FROM lease WHERE id = ? RETURNING id', input.leaseId).toArray().length > 0;
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
      this.sql.exec('DELETE FROM quota_window');
      this.sql.exec('DELETE FROM admission');
    });
    this.windows = { '5h': null, week: null, minute: null };
  }

  private views(limits: WindowLimits, now: number): { fiveHour: WindowView; week: WindowView; minute: WindowView } {
    return {
      fiveHour: viewWindow(this.windows['5h'], limits['5h'], now, WINDOW_LENGTH_MS['5h']),
      week: viewWindow(this.windows.week, limits.week, now, WINDOW_LENGTH_MS.week),
      minute: viewWindow(this.windows.minute, limits.minute, now, WINDOW_LENGTH_MS.minute),
    };
  }

  private activeLeases(now: number): number {
    return this.sql.exec<CountRow>('SELECT COUNT(*) AS active FROM lease WHERE expires_at > ?', now).one().active;
  }

  private writeWindow(name: WindowName, state: WindowState): void {
    this.sql.exec(
      `INSERT INTO quota_window (name, started_at, count) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET started_at = excluded.started_at, count = excluded.count`,
      name,
      state.startedAt,
      state.count,
    );
  }

  private opensQuotaWindow(limits: WindowLimits, now: number): boolean {
    const opens = (name: '5h' | 'week'): boolean =>
      limits[name] !== null && currentWindow(this.windows[name], now, WINDOW_LENGTH_MS[name]) === null;
    return opens('5h') || opens('week');
  }

  /**
   * An admission can only be refunded into a window still in force, so once a window is replaced the
   * rows that point at neither current window are dead weight. Pruning here keeps the table bounded by
   * one week of requests without a sweep on every admit.
   */
  private pruneAdmissions(next: Windows, now: number): void {
    const fiveHour = currentWindow(next['5h'], now, WINDOW_LENGTH_MS['5h']);
    const week = currentWindow(next.week, now, WINDOW_LENGTH_MS.week);
    this.sql.exec(
      'DELETE FROM admission WHERE COALESCE(five_hour_start = ?, 0) = 0 AND COALESCE(week_start = ?, 0) = 0',
      fiveHour?.startedAt ?? null,
      week?.startedAt ?? null,
    );
  }
}
