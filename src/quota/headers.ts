import type { WireFormat } from '../ir/format';
import { rateLimitDialectFor } from '../protocols/registry';
import { anthropicUnifiedHeaders, codexWindowHeaders } from './agent-window-headers';
import type { RateLimitDialect } from './dialect';
import type { QuotaVerdict } from './verdict';
import type { WindowView } from './windows';

/**
 * Reset instants go out as ISO 8601 / RFC 3339 in whole UTC seconds, rounded up so that a client
 * waiting until the stated instant is never early (Anthropic's `*-reset` headers use the same form).
 */
export const formatResetInstant = (epochMs: number): string =>
  new Date(Math.ceil(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/**
 * OpenAI's `x-ratelimit-reset-requests` (and `-tokens`) is a time until reset in Go's duration notation ("1s",
 * "6m0s", "1h2m3s", "12ms"), not an instant (src/protocols/README.md, "Rate-limit headers").
 */
export const formatResetDuration = (milliseconds: number): string => {
  const ms = Math.max(0, milliseconds);
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const totalSeconds = Math.ceil(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
};

type LimitedWindow = WindowView & { limit: number; remaining: number };

const limited = (view: WindowView): LimitedWindow | null =>
  view.limit === null || view.remaining === null ? null : { ...view, limit: view.limit, remaining: view.remaining };

/**
 * A provider-style triple describes one limit, so it reports the window that binds first: the one with
 * less left, and on a tie the one that resets sooner.
 */
const bindingWindow = (views: WindowView[]): LimitedWindow | null => {
  const candidates = views.map(limited).filter((view): view is LimitedWindow => view !== null);
  return candidates.reduce<LimitedWindow | null>(
    (best, view) =>
      best === null || view.remaining < best.remaining || (view.remaining === best.remaining && view.reset < best.reset)
        ? view
        : best,
    null,
  );
};

const windowHeaders = (view: WindowView, suffix: string): Record<string, string> => {
  const window = limited(view);
  if (window === null) return {};
  return {
    [`x-ratelimit-limit${suffix}`]: String(window.limit),
    [`x-ratelimit-remaining${suffix}`]: String(window.remaining),
    [`x-ratelimit-reset${suffix}`]: formatResetInstant(window.reset),
  };
};

type Triple = (binding: LimitedWindow, decidedAt: number, unit: 'requests' | 'tokens') => Record<string, string>;

/** Each dialect names its `requests` and `tokens` triples the same way, with the unit in the name. */
const TRIPLES: Readonly<Record<NonNullable<RateLimitDialect['requests']>, Triple>> = {
  'anthropic-requests': (binding, _decidedAt, unit) => ({
    [`anthropic-ratelimit-${unit}-limit`]: String(binding.limit),
    [`anthropic-ratelimit-${unit}-remaining`]: String(binding.remaining),
    [`anthropic-ratelimit-${unit}-reset`]: formatResetInstant(binding.reset),
  }),
  'openai-requests': (binding, decidedAt, unit) => ({
    [`x-ratelimit-limit-${unit}`]: String(binding.limit),
    [`x-ratelimit-remaining-${unit}`]: String(binding.remaining),
    [`x-ratelimit-reset-${unit}`]: formatResetDuration(binding.reset - decidedAt),
  }),
};

const AGENT_WINDOWS: Readonly<Record<NonNullable<RateLimitDialect['agentWindows']>, (verdict: QuotaVerdict) => Record<string, string>>> = {
  'anthropic-unified': anthropicUnifiedHeaders,
  codex: codexWindowHeaders,
};

/**
 * Rate-limit headers for a relayed response (or a 429) in the caller's dialect (the registry says
 * which): the generic 5-hour and weekly set, the binding request window as a `requests` triple and the
 * binding token window (per minute or per day) as a `tokens` triple, and the windows as the caller's
 * agent displays them. An unlimited window (unlimited plan, prepaid key, no token limit) sends no
 * headers at all rather than a made-up number.
 */
export const rateLimitHeaders = (verdict: QuotaVerdict, format: WireFormat): Record<string, string> => {
  const dialect = rateLimitDialectFor(format);
  const requests = bindingWindow([verdict.fiveHour, verdict.week]);
  const tokens = bindingWindow([verdict.tokenMinute, verdict.tokenDay]);
  const triple = dialect.requests === null ? null : TRIPLES[dialect.requests];
  return {
    ...windowHeaders(verdict.fiveHour, ''),
    ...windowHeaders(verdict.week, '-week'),
    ...(requests === null || triple === null ? {} : triple(requests, verdict.decidedAt, 'requests')),
    ...(tokens === null || triple === null ? {} : triple(tokens, verdict.decidedAt, 'tokens')),
    ...(dialect.agentWindows === null ? {} : AGENT_WINDOWS[dialect.agentWindows](verdict)),
  };
};
