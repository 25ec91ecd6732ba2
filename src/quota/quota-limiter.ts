import { DurableObject } from 'cloudflare:workers';
import type { QuotaLimits } from '../auth/key-record';
import type { Env } from '../env';
import { AdmissionRate, blockExpiryFor, blockSizeFor, type AdmissionBlock } from './admission-block';
import { OutstandingBlocks } from './outstanding-blocks';
import { countedAdmissionId, parseCountedAdmission, type CountedAdmission } from './admission-id';
import {
  clearRefunds,
  deleteLease,
  noWindows,
  openStorage,
  pruneChunk,
  recordRefund,
  storeLease,
  writeState,
  type Windows,
} from './limiter-storage';
import type {
  AdmitInput,
  QuotaRefusalReason,
  QuotaSnapshot,
  QuotaVerdict,
  QuotaWindows,
  RefundInput,
  ReleaseInput,
  ReturnBlockInput,
  StatusInput,
  TokenCharge,
} from './verdict';
import {
  CONCURRENCY_RETRY_SECONDS,
  LEASE_TTL_MS,
  REQUEST_WINDOWS,
  TOKEN_WINDOWS,
  WINDOW_LENGTH_MS,
  WINDOW_NAMES,
  consume,
  giveBack,
  hasRoom,
  secondsUntil,
  viewWindow,
} from './windows';
import type { WindowName } from './windows';

type WindowLimits = Record<WindowName, number | null>;

/**
 * How long the window counts may stay in memory only. A change after a quiet spell this long is written
 * at once; later ones wait for one alarm at the end of the spell, so a busy key writes its state row
 * about once a second whatever its rate. A restart (deploy, crash) forgets what changed since the last
 * write.
 */
const WRITE_BEHIND_MS = 1_000;

/** A lease still held this long after its admission is written, so that a restart keeps counting it. */
const LEASE_STORE_DELAY_MS = 5_000;

/** Rows deleted per table per alarm run: small enough that admissions queued behind it barely wait. */
const PRUNE_CHUNK = 500;

/** Prepaid keys are billed by balance, so the sold request windows do not apply to them; everything else does. */
const windowLimits = (limits: QuotaLimits, countsTowardQuota: boolean): WindowLimits => ({
  '5h': countsTowardQuota ? limits.requestsPer5h : null,
  week: countsTowardQuota ? limits.requestsPerWeek : null,
  minute: limits.requestsPerMinute,
  tokenMinute: limits.tokensPerMinute,
  tokenDay: limits.tokensPerDay,
});

const REFUSAL_REASON: Readonly<Record<WindowName, QuotaRefusalReason>> = {
  '5h': '5h',
  week: 'week',
  minute: 'minute',
  tokenMinute: 'tokenMinute',
  tokenDay: 'tokenDay',
};

/** A window that opened afresh or just reached its limit: worth storing at once rather than behind. */
const landmark = (before: Windows, after: Windows, name: WindowName, limit: number | null): boolean => {
  const next = after[name];
  if (next === null || next === before[name]) return false;
  if (next.startedAt !== before[name]?.startedAt) return true;
  return limit !== null && next.count >= limit && (before[name]?.count ?? 0) < limit;
};

/**
 * One instance per inference key, and one per account for all its agent keys (limiterNameOf). Every
 * decision is a single synchronous run over in-memory state with no await in between, so concurrent
 * requests to the same limiter are serialised by the object itself and admission is exact.
 *
 * Writes: an admission writes no row of its own. The windows live in memory and their one state row is
 * written behind (WRITE_BEHIND_MS), except when a window opens or reaches its limit, which is written at
 * once so a restart can neither reopen a window early nor forget that it was full. An admission of a key
 * with token limits always waits, since its tokens follow within moments. A lease is stored only if it
 * is still held when an alarm runs (LEASE_STORE_DELAY_MS at the latest); a refund writes one row so it
 * gives back once.
 */
export class QuotaLimiter extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private windows: Windows = noWindows();
  /** Bumped by reset(): admissions from before it give nothing back. */
  private epoch = 0;
  /** Live concurrency leases: admission id → expiry, and whether the lease table holds it. */
  private readonly leases = new Map<string, { expires: number; stored: boolean }>();
  /** The windows changed since the state row was last written. */
  private dirty = false;
  /** Refund or lease rows may have outlived their use: the next alarm prunes a chunk. */
  private pruneDue = true;
  private alarmAt: number | null = null;
  /** Wall-clock time of the last state write (pacing only: decisions use the caller's `now`). */
  private storedAt = 0;
  private readonly rate = new AdmissionRate();
  private readonly blocks = new OutstandingBlocks();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      const stored = openStorage(this.sql);
      this.windows = stored.windows;
      this.epoch = stored.epoch;
      for (const [id, expires] of stored.leases) this.leases.set(id, { expires, stored: true });
      this.alarmAt = await ctx.storage.getAlarm();
      // A previous run may have left rows to prune; one alarm soon looks.
      if (stored.leases.length > 0) this.scheduleAlarm(Date.now());
    });
  }

  admit(input: AdmitInput): QuotaVerdict {
    const { now } = input;
    const limits = windowLimits(input.limits, input.countsTowardQuota);
    const before = this.views(limits, now);

    const refusals: { reason: QuotaRefusalReason; retryAfterSeconds: number }[] = [];
    for (const name of WINDOW_NAMES) {
      const view = before[VIEW_KEY[name]];
      if (!hasRoom(view)) refusals.push({ reason: REFUSAL_REASON[name], retryAfterSeconds: secondsUntil(view.reset, now) });
    }
    const maxConcurrent = input.limits.maxConcurrent;
    if (maxConcurrent !== null && this.activeLeases(now) >= maxConcurrent) {
      refusals.push({ reason: 'concurrency', retryAfterSeconds: CONCURRENCY_RETRY_SECONDS });
    }
    if (refusals.length > 0) {
      // Report the limit that keeps the request out longest: waiting for any shorter one would not help.
      const binding = refusals.reduce((worst, next) => (next.retryAfterSeconds > worst.retryAfterSeconds ? next : worst));
      // Admissions held in blocks come back unused within BLOCK_MS at most: that may be sooner than the window's end.
      const blocksBack = binding.reason === 'concurrency' ? null : this.blocks.outstandingUntil(now);
      if (blocksBack !== null) binding.retryAfterSeconds = Math.min(binding.retryAfterSeconds, secondsUntil(blocksBack, now));
      return { allowed: false, ...before, ...binding, admissionId: crypto.randomUUID(), decidedAt: now };
    }

    const previous = this.windows;
    const next: Windows = { ...previous };
    for (const name of REQUEST_WINDOWS) {
      if (limits[name] !== null) next[name] = consume(previous[name], now, WINDOW_LENGTH_MS[name]);
    }
    // A token window opens with the first request it limits; that request's tokens are added on release.
    for (const name of TOKEN_WINDOWS) {
      const opened = limits[name] === null ? null : consume(previous[name], now, WINDOW_LENGTH_MS[name], 0);
      if (opened !== null && opened.startedAt !== previous[name]?.startedAt) next[name] = opened;
    }
    this.windows = next;
    const fiveHourStart = limits['5h'] === null ? null : (next['5h']?.startedAt ?? null);
    const weekStart = limits.week === null ? null : (next.week?.startedAt ?? null);
    const counted: CountedAdmission | null = fiveHourStart === null && weekStart === null ? null : { epoch: this.epoch, fiveHourStart, weekStart };
    const admissionId = counted === null ? crypto.randomUUID() : countedAdmissionId(counted);
    if (maxConcurrent !== null) this.leases.set(admissionId, { expires: now + LEASE_TTL_MS, stored: false });

    const changed = WINDOW_NAMES.some((name) => next[name] !== previous[name]);
    const windowOpened = (['5h', 'week'] as const).some((name) => next[name] !== null && next[name]?.startedAt !== previous[name]?.startedAt);
    if (windowOpened) this.pruneDue = true;
    this.afterChange(changed, {
      storeNow: WINDOW_NAMES.some((name) => landmark(previous, next, name, limits[name])),
      tokensFollow: limits.tokenMinute !== null || limits.tokenDay !== null,
      leaseTaken: maxConcurrent !== null,
    });

    const after = this.views(limits, now);
    this.rate.add(now);
    if (maxConcurrent !== null) return { allowed: true, ...after, retryAfterSeconds: 0, leaseId: admissionId, admissionId, decidedAt: now };
    const block = this.grantBlock(input, limits, after, counted);
    return { allowed: true, ...after, retryAfterSeconds: 0, admissionId, decidedAt: now, ...(block === undefined ? {} : { block }) };
  }

  /** Gives back what an isolate did not use of a block, once; true when there was a block to return. */
  returnBlock(input: ReturnBlockInput): boolean {
    const block = this.blocks.take(input.blockId);
    if (block === undefined) return false;
    const unused = Math.min(Math.max(0, Math.floor(input.unused)), block.size);
    if (unused === 0 || block.epoch !== this.epoch) return true;
    const previous = this.windows;
    const next: Windows = { ...previous };
    for (const [name, startedAt] of block.countedIn) {
      next[name] = giveBack(previous[name], startedAt, input.now, WINDOW_LENGTH_MS[name], unused) ?? previous[name];
    }
    this.windows = next;
    this.afterChange(REQUEST_WINDOWS.some((name) => next[name] !== previous[name]), { storeNow: false, tokensFollow: false, leaseTaken: false });
    return true;
  }

  /**
   * A block of further admissions for a key admitted faster than `input.blockAbovePerSecond`, counted
   * in its request windows now (admission-block.ts says what keeps it exact). `after`: the windows
   * after this admission.
   */
  private grantBlock(input: AdmitInput, limits: WindowLimits, after: QuotaWindows, counted: CountedAdmission | null): AdmissionBlock | undefined {
    const { now } = input;
    if (limits.tokenMinute !== null || limits.tokenDay !== null) return undefined;
    const limited = REQUEST_WINDOWS.filter((name) => limits[name] !== null);
    if (limited.length === 0) return undefined;
    const remaining = Math.min(...limited.map((name) => after[VIEW_KEY[name]].remaining ?? Infinity));
    const size = blockSizeFor(this.rate.perSecond(now), input.blockAbovePerSecond ?? 0, remaining);
    const expiresAt = size === 0 ? null : blockExpiryFor(now, limited.map((name) => after[VIEW_KEY[name]].reset));
    if (expiresAt === null) return undefined;

    const previous = this.windows;
    const next: Windows = { ...previous };
    const countedIn: [WindowName, number][] = [];
    for (const name of limited) {
      const window = consume(previous[name], now, WINDOW_LENGTH_MS[name], size);
      next[name] = window;
      countedIn.push([name, window.startedAt]);
    }
    this.windows = next;
    this.rate.add(now, size);
    const id = crypto.randomUUID();
    this.blocks.add(id, { size, expiresAt, epoch: this.epoch, countedIn }, now);
    this.afterChange(true, { storeNow: false, tokensFollow: false, leaseTaken: false });
    return { id, size, expiresAt, counted };
  }

  /**
   * Gives an admitted request back to the windows it was counted in, once; also ends its lease and adds
   * the tokens it spent. true when it gave something back.
   */
  refund(input: RefundInput): boolean {
    const { admissionId, leaseId, now } = input;
    if (leaseId !== undefined) this.endLease(leaseId);
    this.endLease(admissionId);
    if (input.charge !== undefined) this.charge(input.charge);
    const counted = parseCountedAdmission(admissionId);
    if (counted === undefined || counted.epoch !== this.epoch) return false;
    const next: Windows = { ...this.windows };
    const countedIn = [
      ['5h', counted.fiveHourStart],
      ['week', counted.weekStart],
    ] as const;
    for (const [name, startedAt] of countedIn) {
      if (startedAt === null) continue;
      const restored = giveBack(this.windows[name], startedAt, now, WINDOW_LENGTH_MS[name]);
      if (restored !== null) next[name] = restored;
    }
    if (next['5h'] === this.windows['5h'] && next.week === this.windows.week) return false;
    // Rare (the relay failed the request): the refund and the state it changes are written together, at once.
    const refunded = this.ctx.storage.transactionSync(() => {
      if (!recordRefund(this.sql, admissionId, counted.fiveHourStart, counted.weekStart)) return false;
      writeState(this.sql, next, this.epoch);
      return true;
    });
    if (refunded) {
      this.windows = next;
      this.dirty = false;
      this.storedAt = Date.now();
    }
    return refunded;
  }

  /** Ends a concurrency lease and adds the request's tokens; true when the lease was still held. Releasing twice is harmless. */
  release(input: ReleaseInput): boolean {
    const held = input.leaseId === undefined ? false : this.endLease(input.leaseId);
    if (input.charge !== undefined) this.charge(input.charge);
    return held;
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
    this.epoch += 1;
    this.windows = noWindows();
    this.blocks.clear();
    this.ctx.storage.transactionSync(() => {
      this.writeStateNow(Date.now());
      clearRefunds(this.sql);
    });
  }

  /** Writes what is held behind, then prunes one bounded chunk and re-arms itself while more remain. */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    this.store();
    if (!this.pruneDue) return;
    const deleted = pruneChunk(this.sql, this.windows, Date.now(), PRUNE_CHUNK);
    if (deleted >= PRUNE_CHUNK) this.scheduleAlarm(Date.now());
    else this.pruneDue = false;
  }

  /** Adds a finished request's tokens to the token windows its key limits. */
  private charge(charge: TokenCharge): void {
    if (charge.tokens <= 0) return;
    const limits: Record<(typeof TOKEN_WINDOWS)[number], number | null> = {
      tokenMinute: charge.limits.tokensPerMinute,
      tokenDay: charge.limits.tokensPerDay,
    };
    const previous = this.windows;
    const next: Windows = { ...previous };
    for (const name of TOKEN_WINDOWS) {
      if (limits[name] !== null) next[name] = consume(previous[name], charge.now, WINDOW_LENGTH_MS[name], charge.tokens);
    }
    this.windows = next;
    const changed = TOKEN_WINDOWS.some((name) => next[name] !== previous[name]);
    this.afterChange(changed, { storeNow: TOKEN_WINDOWS.some((name) => landmark(previous, next, name, limits[name])), tokensFollow: true, leaseTaken: false });
  }

  /**
   * Stores a change at once when it matters across a restart or the key has been quiet, else marks it
   * for the write behind; then sets at most one alarm, for the earliest thing that needs one.
   * `tokensFollow`: more changes are on their way (a release's tokens), so waiting saves a write.
   */
  private afterChange(changed: boolean, options: { storeNow: boolean; tokensFollow: boolean; leaseTaken: boolean }): void {
    const wallNow = Date.now();
    if (changed) {
      const quiet = !options.tokensFollow && wallNow - this.storedAt >= WRITE_BEHIND_MS;
      if (options.storeNow || quiet) this.writeStateNow(wallNow);
      else this.dirty = true;
    }
    const wanted = [
      this.dirty ? Math.max(this.storedAt + WRITE_BEHIND_MS, options.tokensFollow ? wallNow + WRITE_BEHIND_MS : 0) : Infinity,
      options.leaseTaken ? wallNow + LEASE_STORE_DELAY_MS : Infinity,
      this.pruneDue ? wallNow + WRITE_BEHIND_MS : Infinity,
    ];
    const at = Math.min(...wanted);
    if (at !== Infinity) this.scheduleAlarm(at);
  }

  private writeStateNow(wallNow: number): void {
    writeState(this.sql, this.windows, this.epoch);
    this.dirty = false;
    this.storedAt = wallNow;
  }

  private store(): void {
    this.ctx.storage.transactionSync(() => {
      if (this.dirty) this.writeStateNow(Date.now());
      for (const [id, lease] of this.leases) {
        if (lease.stored) continue;
        storeLease(this.sql, id, lease.expires);
        lease.stored = true;
      }
    });
  }

  private scheduleAlarm(at: number): void {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }

  private views(limits: WindowLimits, now: number): QuotaWindows {
    const view = (name: WindowName) => viewWindow(this.windows[name], limits[name], now, WINDOW_LENGTH_MS[name]);
    return { fiveHour: view('5h'), week: view('week'), minute: view('minute'), tokenMinute: view('tokenMinute'), tokenDay: view('tokenDay') };
  }

  /** Live leases at `now`; expired ones are forgotten here (a stored one's row goes with the next prune). */
  private activeLeases(now: number): number {
    let active = 0;
    for (const [id, lease] of this.leases) {
      if (lease.expires > now) active++;
      else {
        this.leases.delete(id);
        if (lease.stored) this.pruneDue = true;
      }
    }
    return active;
  }

  private endLease(leaseId: string): boolean {
    const lease = this.leases.get(leaseId);
    if (lease === undefined) return false;
    this.leases.delete(leaseId);
    if (lease.stored) deleteLease(this.sql, leaseId);
    return true;
  }
}

const VIEW_KEY: Readonly<Record<WindowName, keyof QuotaWindows>> = {
  '5h': 'fiveHour',
  week: 'week',
  minute: 'minute',
  tokenMinute: 'tokenMinute',
  tokenDay: 'tokenDay',
};
