import type { AuthenticatedKey } from './key-record';

/**
 * Per-isolate cache of authenticated keys by hash, so the hot path does not query D1 on every
 * request. A revoked or changed key takes effect in other isolates within the TTL
 * (KEY_CACHE_TTL_SECONDS, default 30 s); the isolate that served the admin write drops its entry at
 * once. Unknown keys are not cached, so a key created a moment ago works on its first request.
 */
interface Entry {
  key: AuthenticatedKey;
  expires: number;
}

const MAX_ENTRIES = 10_000;
const entries = new Map<string, Entry>();

export const getCachedKey = (hash: string, now: number): AuthenticatedKey | undefined => {
  const entry = entries.get(hash);
  if (entry === undefined) return undefined;
  if (entry.expires <= now) {
    entries.delete(hash);
    return undefined;
  }
  return entry.key;
};

export const cacheKey = (hash: string, key: AuthenticatedKey, now: number, ttlMs: number): void => {
  if (ttlMs <= 0) return;
  if (entries.size >= MAX_ENTRIES) {
    const oldest = entries.keys().next().value;
    if (oldest !== undefined) entries.delete(oldest);
  }
  entries.set(hash, { key, expires: now + ttlMs });
};

/** Drops every cached entry of a key id (admin update/revoke in this isolate). */
export const forgetKeyId = (keyId: string): void => {
  for (const [hash, entry] of entries) if (entry.key.id === keyId) entries.delete(hash);
};
