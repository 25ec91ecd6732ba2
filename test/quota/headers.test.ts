import { describe, expect, it } from 'vitest';
import { formatResetDuration, formatResetInstant, rateLimitHeaders } from '../../src/quota/headers';
import type { QuotaVerdict } from '../../src/quota/verdict';
import { DAY_MS, FIVE_HOURS_MS, MINUTE_MS, WEEK_MS } from '../../src/quota/windows';
import type { WindowView } from '../../src/quota/windows';

const NOW = Date.UTC(2026, 0, 5, 9, 0, 0);

const view = (limit: number | null, used: number, reset: number): WindowView => ({
  limit,
  used,
  remaining: limit === null ? null : Math.max(0, limit - used),
  reset,
  open: used > 0,
});

const verdictWith = (fiveHour: WindowView, week: WindowView): QuotaVerdict => ({
  allowed: true,
  fiveHour,
  week,
  minute: view(null, 0, NOW + MINUTE_MS),
  tokenMinute: view(null, 0, NOW + MINUTE_MS),
  tokenDay: view(null, 0, NOW + DAY_MS),
  retryAfterSeconds: 0,
  admissionId: 'adm_1',
  decidedAt: NOW,
});

// Free plan, 10 requests into a window opened 30 minutes ago and a week opened 2 days ago.
const free = verdictWith(view(40, 10, NOW + FIVE_HOURS_MS - 30 * MINUTE_MS), view(200, 150, NOW + WEEK_MS - 2 * 86_400_000));

describe('formatResetInstant', () => {
  it('writes whole UTC seconds, rounded up', () => {
    expect(formatResetInstant(Date.UTC(2026, 0, 5, 14, 0, 0))).toBe('2026-01-05T14:00:00Z');
    expect(formatResetInstant(Date.UTC(2026, 0, 5, 14, 0, 0) + 1)).toBe('2026-01-05T14:00:01Z');
  });
});

describe('formatResetDuration', () => {
  it("writes OpenAI's Go-style durations", () => {
    expect(formatResetDuration(12)).toBe('12ms');
    expect(formatResetDuration(1_000)).toBe('1s');
    expect(formatResetDuration(360_000)).toBe('6m0s');
    expect(formatResetDuration(3_723_000)).toBe('1h2m3s');
    expect(formatResetDuration(FIVE_HOURS_MS - 1)).toBe('5h0m0s');
    expect(formatResetDuration(-5)).toBe('0ms');
  });
});

describe('rateLimitHeaders', () => {
  it('sends the generic 5-hour and weekly headers to every format', () => {
    const generic = {
      'x-ratelimit-limit': '40',
      'x-ratelimit-remaining': '30',
      'x-ratelimit-reset': '2026-01-05T13:30:00Z',
      'x-ratelimit-limit-week': '200',
      'x-ratelimit-remaining-week': '50',
      'x-ratelimit-reset-week': '2026-01-10T09:00:00Z',
    };
    expect(rateLimitHeaders(free, 'gemini')).toEqual(generic);
    expect(rateLimitHeaders(free, 'anthropic')).toMatchObject(generic);
    expect(rateLimitHeaders(free, 'openai-chat')).toMatchObject(generic);
  });

  it('adds the anthropic requests triple from the window with fewer requests left', () => {
    const headers = rateLimitHeaders(
      verdictWith(view(40, 38, NOW + FIVE_HOURS_MS), view(200, 150, NOW + WEEK_MS)),
      'anthropic',
    );
    expect(headers['anthropic-ratelimit-requests-limit']).toBe('40');
    expect(headers['anthropic-ratelimit-requests-remaining']).toBe('2');
    expect(headers['anthropic-ratelimit-requests-reset']).toBe('2026-01-05T14:00:00Z');
    expect(headers['x-ratelimit-limit-requests']).toBeUndefined();
  });

  it('adds the openai requests triple with a relative reset, on both OpenAI formats', () => {
    for (const format of ['openai-chat', 'openai-responses'] as const) {
      const headers = rateLimitHeaders(free, format);
      expect(headers['x-ratelimit-limit-requests']).toBe('40');
      expect(headers['x-ratelimit-remaining-requests']).toBe('30');
      expect(headers['x-ratelimit-reset-requests']).toBe('4h30m0s');
      expect(headers['anthropic-ratelimit-requests-limit']).toBeUndefined();
    }
  });

  it('lets the weekly window drive the requests triple once it binds first', () => {
    const weekBinding = verdictWith(view(40, 5, NOW + FIVE_HOURS_MS), view(200, 198, NOW + 3_600_000));
    const headers = rateLimitHeaders(weekBinding, 'openai-responses');
    expect(headers['x-ratelimit-limit-requests']).toBe('200');
    expect(headers['x-ratelimit-remaining-requests']).toBe('2');
    expect(headers['x-ratelimit-reset-requests']).toBe('1h0m0s');
  });

  it('breaks a tie in remaining by the sooner reset', () => {
    const tied = verdictWith(view(40, 40, NOW + FIVE_HOURS_MS), view(200, 200, NOW + 60_000));
    expect(rateLimitHeaders(tied, 'anthropic')['anthropic-ratelimit-requests-reset']).toBe('2026-01-05T09:01:00Z');
  });

  it('omits every header of an unlimited window', () => {
    const weekOnly = verdictWith(view(null, 0, NOW + FIVE_HOURS_MS), view(2_000, 1, NOW + WEEK_MS));
    const headers = rateLimitHeaders(weekOnly, 'anthropic');
    expect(Object.keys(headers).sort()).toEqual([
      'anthropic-ratelimit-requests-limit',
      'anthropic-ratelimit-requests-remaining',
      'anthropic-ratelimit-requests-reset',
      'anthropic-ratelimit-unified-7d-reset',
      'anthropic-ratelimit-unified-7d-status',
      'anthropic-ratelimit-unified-7d-utilization',
      'anthropic-ratelimit-unified-representative-claim',
      'anthropic-ratelimit-unified-reset',
      'anthropic-ratelimit-unified-status',
      'x-ratelimit-limit-week',
      'x-ratelimit-remaining-week',
      'x-ratelimit-reset-week',
    ]);
    const unlimited = verdictWith(view(null, 0, NOW + FIVE_HOURS_MS), view(null, 0, NOW + WEEK_MS));
    for (const format of ['openai-chat', 'openai-responses', 'anthropic', 'gemini'] as const) expect(rateLimitHeaders(unlimited, format)).toEqual({});
  });
});
