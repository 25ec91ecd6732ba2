/**
 * Cache affinity: the requests of one agent session (a Claude Code session, a Codex conversation, a
 * `prompt_cache_key`) go to the same provider among equally good candidates, so the upstream's prompt
 * cache keeps hitting.
 *
 * Two layers, neither needs storage shared between isolates:
 * - Rendezvous (highest-random-weight) hashing of the session key over a priority group: each
 *   provider gets a score from a hash of (session, provider), scaled by its weight, and the highest
 *   score goes first. Every isolate computes the same order for a session, sessions spread over the
 *   group in proportion to the weights, and adding or removing a provider moves only the sessions
 *   that provider wins or held.
 * - A small in-isolate memory of which provider last served each session. When a fallback served a
 *   session somewhere else, that provider holds the warm cache now, so it goes first from then on.
 *   The memory also says, per upstream format, which provider minted the opaque state a session
 *   carries (Anthropic thinking signatures): see src/relay/session-attempt.ts.
 */

/** The account and affinity key of one request (the key is namespaced by account: sessions never meet across accounts). */
export interface RequestSession {
  accountId: string;
  key?: string;
}

export const requestSession = (accountId: string, sessionKey: string | undefined): RequestSession =>
  sessionKey === undefined || sessionKey === '' ? { accountId } : { accountId, key: `${accountId}\u0000${sessionKey}` };

const mix32 = (value: number): number => {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

/** A hash of `text` as a number strictly between 0 and 1 (53 bits, two independently mixed 32-bit lanes). */
export const unitHash = (text: string): number => {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
  }
  const high = mix32(a ^ mix32(b)) >>> 11;
  const low = mix32(b ^ Math.imul(a, 0x27d4eb2d));
  return (high * 2 ** 32 + low + 0.5) / 2 ** 53;
};

/**
 * Weighted rendezvous score: -weight / ln(u) with u uniform in (0, 1). The provider with the highest
 * score wins a session with probability weight / total weight; weight 0 only ever wins among weight 0.
 */
const scoreOf = (weight: number, hash: number): number => -Math.max(weight, 0) / Math.log(hash);

/** A priority group in the order a session prefers it (stable across isolates; weight-0 providers last, by hash). */
export const rendezvousOrder = <T extends { provider: { id: string; weight: number } }>(group: T[], sessionKey: string): T[] => {
  const scored = group.map((item) => {
    const hash = unitHash(`${sessionKey}\u0000${item.provider.id}`);
    return { item, score: scoreOf(item.provider.weight, hash), hash };
  });
  scored.sort((a, b) => b.score - a.score || b.hash - a.hash);
  return scored.map((entry) => entry.item);
};

interface Remembered {
  /** The provider that last served the session. */
  last: string;
  /** Per upstream wire format, the provider of that format that last served it (who minted its opaque state). */
  byFormat: Record<string, string>;
}

/** Sessions remembered per isolate; the least recently used goes first (a Map keeps insertion order). */
const MEMORY_MAX = 5_000;
const memory = new Map<string, Remembered>();

/** The provider that served the session last, as far as this isolate knows. */
export const sessionProvider = (sessionKey: string): string | undefined => memory.get(sessionKey)?.last;

/** The provider speaking `format` that served the session last (it minted the state the session carries for that format). */
export const sessionProviderOf = (sessionKey: string, format: string): string | undefined => memory.get(sessionKey)?.byFormat[format];

export const rememberSessionProvider = (sessionKey: string, providerId: string, format: string): void => {
  const previous = memory.get(sessionKey);
  memory.delete(sessionKey);
  if (previous === undefined && memory.size >= MEMORY_MAX) {
    const oldest = memory.keys().next().value;
    if (oldest !== undefined) memory.delete(oldest);
  }
  memory.set(sessionKey, { last: providerId, byFormat: { ...previous?.byFormat, [format]: providerId } });
};

/**
 * A priority group in the session's order: the provider that served it last first (its cache is
 * warm), then the rendezvous order.
 */
export const affinityOrder = <T extends { provider: { id: string; weight: number } }>(group: T[], sessionKey: string): T[] => {
  const ordered = rendezvousOrder(group, sessionKey);
  const last = sessionProvider(sessionKey);
  const index = last === undefined ? -1 : ordered.findIndex((item) => item.provider.id === last);
  if (index <= 0) return ordered;
  return [ordered[index] as T, ...ordered.slice(0, index), ...ordered.slice(index + 1)];
};

/** Test helper: forgets every session. */
export const resetSessionAffinity = (): void => {
  memory.clear();
};
