import type { QuotaVerdict } from './verdict';
import { FIVE_HOURS_MS, MINUTE_MS, WEEK_MS, type WindowView } from './windows';

/**
 * The subscription windows agents display, computed from the key's own verdict: Claude Code reads
 * `anthropic-ratelimit-unified-*`, Codex CLI reads `x-codex-primary-*` / `x-codex-secondary-*`.
 * Names and value formats are listed in src/protocols/README.md ("Quota headers for agents").
 */

/** Utilization at or above which a window is reported as `allowed_warning`. */
const WARNING_UTILIZATION = 0.8;

type Claim = 'five_hour' | 'seven_day';

interface AgentWindow {
  claim: Claim;
  view: WindowView & { limit: number };
  /** Spent fraction, 0..1. */
  utilization: number;
  /** This window refused the request. */
  refused: boolean;
  lengthMs: number;
}

const agentWindow = (view: WindowView, claim: Claim, lengthMs: number, refused: boolean): AgentWindow | null => {
  if (view.limit === null) return null;
  const utilization = view.limit <= 0 ? 1 : Math.min(1, view.used / view.limit);
  return { claim, view: { ...view, limit: view.limit }, utilization: refused ? 1 : utilization, refused, lengthMs };
};

const windowsOf = (verdict: QuotaVerdict): { fiveHour: AgentWindow | null; week: AgentWindow | null } => ({
  fiveHour: agentWindow(verdict.fiveHour, 'five_hour', FIVE_HOURS_MS, !verdict.allowed && verdict.reason === '5h'),
  week: agentWindow(verdict.week, 'seven_day', WEEK_MS, !verdict.allowed && verdict.reason === 'week'),
});

/** Epoch seconds, rounded up so a client waiting until then is never early. */
const epochSeconds = (epochMs: number): string => String(Math.ceil(epochMs / 1000));

const decimal = (value: number, places: number): string => String(Math.round(value * 10 ** places) / 10 ** places);

type UnifiedStatus = 'allowed' | 'allowed_warning' | 'rejected';

const statusOf = (window: AgentWindow): UnifiedStatus =>
  window.refused ? 'rejected' : window.utilization >= WARNING_UTILIZATION ? 'allowed_warning' : 'allowed';

const STATUS_RANK: Record<UnifiedStatus, number> = { allowed: 0, allowed_warning: 1, rejected: 2 };

/**
 * Claude Code's unified headers: a 0..1 utilization and an epoch-seconds reset per window, an overall
 * status, and the representative claim (the window that refused, else the fullest; a tie goes to the
 * 5-hour window) whose reset `-reset` repeats. A minute or concurrency refusal leaves the status to
 * the windows: the client then treats its 429 as a short throttle and honours `retry-after`.
 */
export const anthropicUnifiedHeaders = (verdict: QuotaVerdict): Record<string, string> => {
  const { fiveHour, week } = windowsOf(verdict);
  const present = [fiveHour, week].filter((window): window is AgentWindow => window !== null);
  if (present.length === 0) return {};
  const headers: Record<string, string> = {};
  for (const window of present) {
    const prefix = `anthropic-ratelimit-unified-${window.claim === 'five_hour' ? '5h' : '7d'}`;
    headers[`${prefix}-status`] = statusOf(window);
    headers[`${prefix}-utilization`] = decimal(window.utilization, 4);
    headers[`${prefix}-reset`] = epochSeconds(window.view.reset);
    if (window.utilization >= WARNING_UTILIZATION) headers[`${prefix}-surpassed-threshold`] = String(WARNING_UTILIZATION);
  }
  const representative = present.reduce((best, window) =>
    window.refused !== best.refused ? (window.refused ? window : best) : window.utilization > best.utilization ? window : best,
  );
  const status = present.map(statusOf).reduce((worst, next) => (STATUS_RANK[next] > STATUS_RANK[worst] ? next : worst));
  headers['anthropic-ratelimit-unified-status'] = status;
  headers['anthropic-ratelimit-unified-representative-claim'] = representative.claim;
  headers['anthropic-ratelimit-unified-reset'] = epochSeconds(representative.view.reset);
  return headers;
};

/**
 * Codex CLI's windows: primary is the 5-hour window, secondary the weekly one, each as a 0..100 used
 * percentage, its length in minutes, and its reset both as epoch seconds (`-reset-at`, what current
 * Codex CLI reads) and as seconds from now (`-reset-after-seconds`, what earlier releases read).
 */
export const codexWindowHeaders = (verdict: QuotaVerdict): Record<string, string> => {
  const { fiveHour, week } = windowsOf(verdict);
  const headers: Record<string, string> = {};
  for (const [slot, window] of [['primary', fiveHour], ['secondary', week]] as const) {
    if (window === null) continue;
    headers[`x-codex-${slot}-used-percent`] = decimal(window.utilization * 100, 2);
    headers[`x-codex-${slot}-window-minutes`] = String(window.lengthMs / MINUTE_MS);
    headers[`x-codex-${slot}-reset-at`] = epochSeconds(window.view.reset);
    headers[`x-codex-${slot}-reset-after-seconds`] = String(Math.max(0, Math.ceil((window.view.reset - verdict.decidedAt) / 1000)));
  }
  return headers;
};
