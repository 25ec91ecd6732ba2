/**
 * Codex CLI over the Responses WebSocket reads its quota windows from a `codex.rate_limits` message
 * sent before each response's events (over HTTP it reads the `x-codex-*` headers instead). The relay
 * builds that message from the same headers its own QuotaLimiter verdict produced for the response's
 * POST (quota/agent-window-headers.ts), so the two transports always agree. Field names and units are
 * listed in src/protocols/README.md ("Quota headers for agents").
 */

interface CodexWindow {
  used_percent: number;
  window_minutes: number;
  reset_after_seconds: number;
  reset_at: number;
}

const windowOf = (headers: Headers, slot: 'primary' | 'secondary'): CodexWindow | null => {
  const used = Number(headers.get(`x-codex-${slot}-used-percent`) ?? Number.NaN);
  const minutes = Number(headers.get(`x-codex-${slot}-window-minutes`) ?? Number.NaN);
  const resetAt = Number(headers.get(`x-codex-${slot}-reset-at`) ?? Number.NaN);
  const resetAfter = Number(headers.get(`x-codex-${slot}-reset-after-seconds`) ?? Number.NaN);
  if (![used, minutes, resetAt, resetAfter].every(Number.isFinite)) return null;
  return { used_percent: used, window_minutes: minutes, reset_after_seconds: resetAfter, reset_at: resetAt };
};

/** Codex names itself in the handshake (`originator: codex_cli_rs`, or a `codex_…` user agent); other clients never get this message. */
export const isCodexClient = (handshake: Headers): boolean =>
  (handshake.get('originator') ?? '').startsWith('codex') || (handshake.get('user-agent') ?? '').startsWith('codex');

/** The `codex.rate_limits` message for one response, or undefined when its key has no 5-hour or weekly window. */
export const codexRateLimitsMessage = (response: Response): string | undefined => {
  const primary = windowOf(response.headers, 'primary');
  const secondary = windowOf(response.headers, 'secondary');
  if (primary === null && secondary === null) return undefined;
  const limitReached = response.status === 429 || [primary, secondary].some((window) => window !== null && window.used_percent >= 100);
  return JSON.stringify({
    type: 'codex.rate_limits',
    rate_limits: { allowed: !limitReached, limit_reached: limitReached, primary, secondary },
  });
};
