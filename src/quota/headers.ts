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
 * OpenAI's `x-ratelimit-reset-requests` is a time until reset in Go's duration notation ("1s",
 * "6m0s", "1h2m3s", "12ms"), not an instant.
 * @see https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers
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
 * The provider-style `requests` triple describes one limit, so it reports the window that binds first:
 * the one with fewer requests left, and on a tie the one that resets sooner.
 */
const bindingWindow = (verdict: QuotaVerdict): LimitedWindow | null => {
  const candidates = [limited(verdict.fiveHour), limited(verdict.week)].filter(
    (view): view is LimitedWindow => view !== null,
  );
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

type RequestsTriple = (binding: LimitedWindow, decidedAt: number) => Record<string, string>;

const REQUESTS_TRIPLES: Readonly<Record<NonNullable<RateLimitDialect['requests']>, RequestsTriple>> = {
  'anthropic-requests': (binding) => ({
    'anthropic-ratelimit-requests-limit': String(binding.limit),
    'anthropic-ratelimit-requests-remaining': String(binding.remaining),
    'anthropic-ratelimit-requests-reset': formatResetInstant(binding.reset),
  }),
  'openai-requests': (binding, decidedAt) => ({
    'x-ratelimit-limit-requests': String(binding.limit),
    'x-ratelimit-remaining-requests': String(binding.remaining),
    'x-ratelimit-reset-requests': formatResetDuration(binding.reset - decidedAt),
  }),
};

const AGENT_WINDOWS: Readonly<Record<NonNullable<RateLimitDialect['agentWindows']>, (verdict: QuotaVerdict) => Record<string, string>>> = {
  'anthropic-unified': anthropicUnifiedHeaders,
  codex: codexWindowHeaders,
};

/**
 * Rate-limit headers for a relayed response (or a 429) in the caller's dialect (the registry says
 * which): the generic 5-hour and weekly set, the binding window as a requests triple, and the windows
 * as the caller's agent displays them. An unlimited window (unlimited plan, prepaid key) sends no
 * headers at all rather than a made-up number.
 */
export const rateLimitHeaders = (verdict: QuotaVerdict, format: WireFormat): Record<string, string> => {
  const dialect = rateLimitDialectFor(format);
  const binding = bindingWindow(verdict);
  return {
    ...windowHeaders(verdict.fiveHour, ''),
    ...windowHeaders(verdict.week, '-week'),
    ...(binding === null || dialect.requests === null ? {} : REQUESTS_TRIPLES[dialect.requests](binding, verdict.decidedAt)),
    ...(dialect.agentWindows === null ? {} : AGENT_WINDOWS[dialect.agentWindows](verdict)),
  };
};
