/**
 * Which rate-limit headers a client format reads, as data the registry hands out per format, so
 * src/quota builds headers without knowing format names.
 */
export interface RateLimitDialect {
  /**
   * The binding window as a provider-style `requests` triple (and, for a key with token limits, the
   * binding token window as the same dialect's `tokens` triple): instant resets, or Go-style durations.
   */
  requests: 'anthropic-requests' | 'openai-requests' | null;
  /** The 5-hour and weekly windows in the shape a subscription agent displays. */
  agentWindows: 'anthropic-unified' | 'codex' | null;
  /** Upstream headers with this prefix that pass through to the client on a same-format upstream error. */
  upstreamErrorHeaderPrefix: string | null;
}
