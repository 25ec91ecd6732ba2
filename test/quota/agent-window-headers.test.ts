import { describe, expect, it } from 'vitest';
import { anthropicUnifiedHeaders, codexWindowHeaders } from '../../src/quota/agent-window-headers';
import { rateLimitHeaders } from '../../src/quota/headers';
import type { QuotaVerdict } from '../../src/quota/verdict';
import { DAY_MS, FIVE_HOURS_MS, MINUTE_MS, WEEK_MS, type WindowView } from '../../src/quota/windows';

const NOW = Date.UTC(2026, 0, 5, 9, 0, 0);
const FIVE_HOUR_RESET = NOW + FIVE_HOURS_MS - 30 * MINUTE_MS;
const WEEK_RESET = NOW + WEEK_MS - 2 * 86_400_000;

const view = (limit: number | null, used: number, reset: number): WindowView => ({
  limit,
  used,
  remaining: limit === null ? null : Math.max(0, limit - used),
  reset,
  open: used > 0,
});

const verdict = (fiveHour: WindowView, week: WindowView, refusal?: QuotaVerdict['reason']): QuotaVerdict => ({
  allowed: refusal === undefined,
  ...(refusal === undefined ? {} : { reason: refusal }),
  fiveHour,
  week,
  minute: view(null, 0, NOW + MINUTE_MS),
  tokenMinute: view(null, 0, NOW + MINUTE_MS),
  tokenDay: view(null, 0, NOW + DAY_MS),
  retryAfterSeconds: refusal === undefined ? 0 : 60,
  admissionId: 'adm_1',
  decidedAt: NOW,
});

const seconds = (epochMs: number) => String(Math.ceil(epochMs / 1000));

describe('anthropic-ratelimit-unified-* from the key windows', () => {
  it('writes utilization as a 0..1 fraction and resets as epoch seconds', () => {
    const headers = anthropicUnifiedHeaders(verdict(view(40, 10, FIVE_HOUR_RESET), view(200, 150, WEEK_RESET)));
    expect(headers).toEqual({
      'anthropic-ratelimit-unified-status': 'allowed',
      'anthropic-ratelimit-unified-5h-status': 'allowed',
      'anthropic-ratelimit-unified-5h-utilization': '0.25',
      'anthropic-ratelimit-unified-5h-reset': seconds(FIVE_HOUR_RESET),
      'anthropic-ratelimit-unified-7d-status': 'allowed',
      'anthropic-ratelimit-unified-7d-utilization': '0.75',
      'anthropic-ratelimit-unified-7d-reset': seconds(WEEK_RESET),
      // The fuller window represents the key.
      'anthropic-ratelimit-unified-representative-claim': 'seven_day',
      'anthropic-ratelimit-unified-reset': seconds(WEEK_RESET),
    });
  });

  it('warns from 80% and names the window that crossed it', () => {
    const headers = anthropicUnifiedHeaders(verdict(view(40, 36, FIVE_HOUR_RESET), view(200, 40, WEEK_RESET)));
    expect(headers['anthropic-ratelimit-unified-status']).toBe('allowed_warning');
    expect(headers['anthropic-ratelimit-unified-5h-status']).toBe('allowed_warning');
    expect(headers['anthropic-ratelimit-unified-5h-surpassed-threshold']).toBe('0.8');
    expect(headers['anthropic-ratelimit-unified-7d-surpassed-threshold']).toBeUndefined();
    expect(headers['anthropic-ratelimit-unified-representative-claim']).toBe('five_hour');
    expect(headers['anthropic-ratelimit-unified-reset']).toBe(seconds(FIVE_HOUR_RESET));
  });

  it('rejects with the refusing window as the claim, even when the other is fuller', () => {
    const headers = anthropicUnifiedHeaders(verdict(view(40, 40, FIVE_HOUR_RESET), view(200, 199, WEEK_RESET), '5h'));
    expect(headers['anthropic-ratelimit-unified-status']).toBe('rejected');
    expect(headers['anthropic-ratelimit-unified-5h-status']).toBe('rejected');
    expect(headers['anthropic-ratelimit-unified-5h-utilization']).toBe('1');
    expect(headers['anthropic-ratelimit-unified-representative-claim']).toBe('five_hour');
    expect(headers['anthropic-ratelimit-unified-reset']).toBe(seconds(FIVE_HOUR_RESET));
  });

  it('leaves a per-minute refusal to retry-after: the windows still say allowed', () => {
    const headers = anthropicUnifiedHeaders(verdict(view(40, 1, FIVE_HOUR_RESET), view(200, 1, WEEK_RESET), 'minute'));
    expect(headers['anthropic-ratelimit-unified-status']).toBe('allowed');
  });

  it('sends only the limited window, and nothing for an unlimited key', () => {
    const weekOnly = anthropicUnifiedHeaders(verdict(view(null, 3, FIVE_HOUR_RESET), view(200, 50, WEEK_RESET)));
    expect(Object.keys(weekOnly).filter((name) => name.includes('-5h-'))).toEqual([]);
    expect(weekOnly['anthropic-ratelimit-unified-representative-claim']).toBe('seven_day');
    expect(anthropicUnifiedHeaders(verdict(view(null, 3, FIVE_HOUR_RESET), view(null, 3, WEEK_RESET)))).toEqual({});
  });
});

describe('x-codex-primary-* / x-codex-secondary-* from the key windows', () => {
  it('maps the 5-hour window to primary (300 min) and the week to secondary (10080 min)', () => {
    expect(codexWindowHeaders(verdict(view(40, 10, FIVE_HOUR_RESET), view(200, 151, WEEK_RESET)))).toEqual({
      'x-codex-primary-used-percent': '25',
      'x-codex-primary-window-minutes': '300',
      'x-codex-primary-reset-at': seconds(FIVE_HOUR_RESET),
      'x-codex-primary-reset-after-seconds': String(FIVE_HOURS_MS / 1000 - 30 * 60),
      'x-codex-secondary-used-percent': '75.5',
      'x-codex-secondary-window-minutes': '10080',
      'x-codex-secondary-reset-at': seconds(WEEK_RESET),
      'x-codex-secondary-reset-after-seconds': String((WEEK_MS - 2 * 86_400_000) / 1000),
    });
  });

  it('reports a refused window as 100% used', () => {
    const headers = codexWindowHeaders(verdict(view(40, 12, FIVE_HOUR_RESET), view(200, 200, WEEK_RESET), 'week'));
    expect(headers['x-codex-secondary-used-percent']).toBe('100');
    expect(headers['x-codex-primary-used-percent']).toBe('30');
  });
});

describe('rateLimitHeaders per client dialect', () => {
  const free = verdict(view(40, 10, FIVE_HOUR_RESET), view(200, 150, WEEK_RESET));
  const names = (format: Parameters<typeof rateLimitHeaders>[1]) => Object.keys(rateLimitHeaders(free, format));

  it('sends the unified set to Anthropic clients and the codex set to Responses clients only', () => {
    expect(names('anthropic').some((name) => name.startsWith('anthropic-ratelimit-unified-'))).toBe(true);
    expect(names('anthropic').some((name) => name.startsWith('x-codex-'))).toBe(false);
    expect(names('openai-responses').some((name) => name.startsWith('x-codex-primary-'))).toBe(true);
    expect(names('openai-responses').some((name) => name.startsWith('anthropic-'))).toBe(false);
    for (const format of ['openai-chat', 'gemini'] as const) {
      expect(names(format).some((name) => name.startsWith('x-codex-') || name.startsWith('anthropic-ratelimit-unified-'))).toBe(false);
    }
  });
});
