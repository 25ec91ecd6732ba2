import { describe, expect, it } from 'vitest';
import {
  FIVE_HOURS_MS,
  MINUTE_MS,
  WEEK_MS,
  consume,
  currentWindow,
  giveBack,
  hasRoom,
  secondsUntil,
  viewWindow,
} from '../../src/quota/windows';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

describe('currentWindow', () => {
  it('is open from its first request until exactly one length later', () => {
    const state = { startedAt: T0, count: 3 };
    expect(currentWindow(state, T0, FIVE_HOURS_MS)).toBe(state);
    expect(currentWindow(state, T0 + FIVE_HOURS_MS - 1, FIVE_HOURS_MS)).toBe(state);
    expect(currentWindow(state, T0 + FIVE_HOURS_MS, FIVE_HOURS_MS)).toBeNull();
    expect(currentWindow(null, T0, FIVE_HOURS_MS)).toBeNull();
  });

  it('treats a caller clock behind the window start as inside the window', () => {
    const state = { startedAt: T0, count: 1 };
    expect(currentWindow(state, T0 - 250, MINUTE_MS)).toBe(state);
  });
});

describe('consume', () => {
  it('opens a window at the first request and counts into it afterwards', () => {
    const opened = consume(null, T0, FIVE_HOURS_MS);
    expect(opened).toEqual({ startedAt: T0, count: 1 });
    expect(consume(opened, T0 + 60_000, FIVE_HOURS_MS)).toEqual({ startedAt: T0, count: 2 });
  });

  it('opens the next window at the first request after the previous one ended, not at its boundary', () => {
    const old = { startedAt: T0, count: 40 };
    const late = T0 + FIVE_HOURS_MS + 37 * MINUTE_MS;
    expect(consume(old, late, FIVE_HOURS_MS)).toEqual({ startedAt: late, count: 1 });
    expect(consume({ startedAt: T0, count: 200 }, T0 + WEEK_MS, WEEK_MS)).toEqual({ startedAt: T0 + WEEK_MS, count: 1 });
  });
});

describe('viewWindow', () => {
  it('reports limit, used, remaining and the end of an open window', () => {
    expect(viewWindow({ startedAt: T0, count: 12 }, 40, T0 + 1000, FIVE_HOURS_MS)).toEqual({
      limit: 40,
      used: 12,
      remaining: 28,
      reset: T0 + FIVE_HOURS_MS,
      open: true,
    });
  });

  it('reports a full window resetting one length from now when none is open', () => {
    const now = T0 + FIVE_HOURS_MS + 5;
    expect(viewWindow({ startedAt: T0, count: 40 }, 40, now, FIVE_HOURS_MS)).toEqual({
      limit: 40,
      used: 0,
      remaining: 40,
      reset: now + FIVE_HOURS_MS,
      open: false,
    });
  });

  it('never reports negative remaining after a limit is lowered below the count', () => {
    const view = viewWindow({ startedAt: T0, count: 50 }, 40, T0, FIVE_HOURS_MS);
    expect(view.remaining).toBe(0);
    expect(hasRoom(view)).toBe(false);
  });

  it('leaves remaining null for an unlimited window, which always has room', () => {
    const view = viewWindow({ startedAt: T0, count: 9_999 }, null, T0, WEEK_MS);
    expect(view.remaining).toBeNull();
    expect(hasRoom(view)).toBe(true);
  });
});

describe('giveBack', () => {
  it('returns one request to the window it was counted in', () => {
    expect(giveBack({ startedAt: T0, count: 5 }, T0, T0 + 10, FIVE_HOURS_MS)).toEqual({ startedAt: T0, count: 4 });
  });

  it('gives nothing back once that window has ended or been replaced', () => {
    expect(giveBack({ startedAt: T0, count: 5 }, T0, T0 + FIVE_HOURS_MS, FIVE_HOURS_MS)).toBeNull();
    expect(giveBack({ startedAt: T0 + FIVE_HOURS_MS, count: 1 }, T0, T0 + FIVE_HOURS_MS, FIVE_HOURS_MS)).toBeNull();
    expect(giveBack(null, T0, T0, FIVE_HOURS_MS)).toBeNull();
    expect(giveBack({ startedAt: T0, count: 0 }, T0, T0, FIVE_HOURS_MS)).toBeNull();
  });
});

describe('secondsUntil', () => {
  it('rounds up to whole seconds and never says less than 1', () => {
    expect(secondsUntil(T0 + 1_001, T0)).toBe(2);
    expect(secondsUntil(T0 + 3_000, T0)).toBe(3);
    expect(secondsUntil(T0, T0)).toBe(1);
    expect(secondsUntil(T0 + FIVE_HOURS_MS, T0)).toBe(18_000);
  });
});
