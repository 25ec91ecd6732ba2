/**
 * Pure window maths for the request and token quotas. Every window is a session window: it opens at the
 * first counted request after the previous one ended and lasts a fixed length from that request, the way
 * subscription plans meter usage. Times are epoch milliseconds supplied by the caller.
 */

export const MINUTE_MS = 60_000;
export const FIVE_HOURS_MS = 5 * 60 * MINUTE_MS;
export const DAY_MS = 24 * 60 * MINUTE_MS;
export const WEEK_MS = 7 * DAY_MS;

/** A concurrency lease expires on its own after this long if the relay never releases it. */
export const LEASE_TTL_MS = 10 * MINUTE_MS;

/** Retry hint for a concurrency refusal: a slot frees when any in-flight request ends. */
export const CONCURRENCY_RETRY_SECONDS = 1;

/** Windows that count requests, one per admission. */
export const REQUEST_WINDOWS = ['5h', 'week', 'minute'] as const;
/** Windows that count tokens, added when a request's usage is known. */
export const TOKEN_WINDOWS = ['tokenMinute', 'tokenDay'] as const;
export const WINDOW_NAMES = [...REQUEST_WINDOWS, ...TOKEN_WINDOWS] as const;
export type WindowName = (typeof WINDOW_NAMES)[number];

export const WINDOW_LENGTH_MS: Readonly<Record<WindowName, number>> = {
  '5h': FIVE_HOURS_MS,
  week: WEEK_MS,
  minute: MINUTE_MS,
  tokenMinute: MINUTE_MS,
  tokenDay: DAY_MS,
};

/** What storage remembers about one window: when it opened and how much (requests or tokens) it has counted. */
export interface WindowState {
  startedAt: number;
  count: number;
}

/** One window as callers see it. `limit`/`remaining` are null when the window is unlimited. */
export interface WindowView {
  limit: number | null;
  used: number;
  remaining: number | null;
  /** Epoch ms when the window ends; now + length when no window is open yet. */
  reset: number;
  open: boolean;
}

const windowEnd = (state: WindowState, lengthMs: number): number => state.startedAt + lengthMs;

/**
 * The window in force at `now`, or null when none is open. A `now` earlier than the start (clock skew
 * between isolates) still counts as inside the window, so a lagging clock cannot reopen it early.
 */
export const currentWindow = (
  state: WindowState | null,
  now: number,
  lengthMs: number,
): WindowState | null => (state !== null && now < windowEnd(state, lengthMs) ? state : null);

export const viewWindow = (
  state: WindowState | null,
  limit: number | null,
  now: number,
  lengthMs: number,
): WindowView => {
  const open = currentWindow(state, now, lengthMs);
  const used = open?.count ?? 0;
  return {
    limit,
    used,
    remaining: limit === null ? null : Math.max(0, limit - used),
    reset: open === null ? now + lengthMs : windowEnd(open, lengthMs),
    open: open !== null,
  };
};

export const hasRoom = (view: WindowView): boolean => view.remaining === null || view.remaining > 0;

/**
 * Counts `amount` (one request by default, or a request's tokens), opening a fresh window at `now` when
 * none is in force. An amount of 0 only opens the window.
 */
export const consume = (state: WindowState | null, now: number, lengthMs: number, amount = 1): WindowState => {
  const open = currentWindow(state, now, lengthMs);
  return open === null ? { startedAt: now, count: amount } : { startedAt: open.startedAt, count: open.count + amount };
};

/**
 * Gives `amount` requests (one by default) back to the window they were counted in. Once that window
 * has ended or been replaced there is nothing to give back: the requests no longer weigh on anything.
 */
export const giveBack = (
  state: WindowState | null,
  countedInWindowStartedAt: number,
  now: number,
  lengthMs: number,
  amount = 1,
): WindowState | null => {
  const open = currentWindow(state, now, lengthMs);
  if (open === null || open.startedAt !== countedInWindowStartedAt || open.count === 0 || amount <= 0) return null;
  return { startedAt: open.startedAt, count: Math.max(0, open.count - amount) };
};

/** Whole seconds until `reset`, rounded up so a client that waits exactly this long is admitted; at least 1. */
export const secondsUntil = (reset: number, now: number): number =>
  Math.max(1, Math.ceil((reset - now) / 1000));
