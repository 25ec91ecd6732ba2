import { forgetColo, throughColo } from '../cache/colo-cache';
import { refreshingMap, type BackgroundContext, type RefreshingMap } from '../cache/refreshing-map';
import { dbOf } from '../db/client';
import { findKeyByHash } from '../db/keys';
import { readSessionOf } from '../db/read-session';
import { configOf, type Env } from '../env';

/** A key as D1 holds it: the hot path's record and whether it was revoked. */
export type KeyLookup = NonNullable<Awaited<ReturnType<typeof findKeyByHash>>>;

/**
 * Keys by hash, cached so the hot path does not wait on D1. In each isolate: served as read while
 * younger than KEY_FRESH_MS; older, served once more while one refresh from D1 runs in the request's
 * waitUntil; older than KEY_CACHE_TTL_SECONDS (30 s by default), or cold, the request waits. A cold
 * isolate first asks its colo (KEY_COLO_TTL_MS), where a busy isolate's refresh left its copy. A copy
 * keeps its D1 read time, so no isolate uses a key record read more than KEY_CACHE_TTL_SECONDS ago.
 */
export const KEY_FRESH_MS = 5_000;
export const KEY_COLO_TTL_MS = 15_000;
/**
 * "No such key" is never kept by an isolate, and by the colo only this long: a generated key has ~238
 * random bits, so no one can have been refused it before it existed; a client retrying a wrong key
 * costs a colo lookup instead of a D1 read.
 */
export const UNKNOWN_KEY_COLO_TTL_MS = 2_000;
/** Part of the colo entry's name: bump it when AuthenticatedKey changes shape, so no isolate reads an old one. */
const KEY_RECORD_VERSION = 1;

const coloName = (hash: string): string => `key/v${KEY_RECORD_VERSION}/${hash}`;

let cache: { maxStaleMs: number; keys: RefreshingMap<string, KeyLookup | undefined> } | undefined;
const keysFor = (maxStaleMs: number) => {
  if (cache?.maxStaleMs !== maxStaleMs) {
    const keys = refreshingMap<string, KeyLookup | undefined>({ freshMs: Math.min(KEY_FRESH_MS, maxStaleMs), maxStaleMs, keep: (found) => found !== undefined });
    cache = { maxStaleMs, keys };
  }
  return cache.keys;
};

/**
 * A replica may not have a key created a moment ago: "no such key" is confirmed by the primary before
 * anyone is refused (only wrong keys pay for that).
 */
const readKey = async (env: Env, hash: string): Promise<KeyLookup | undefined> =>
  (await findKeyByHash(dbOf(readSessionOf(env.DB)), hash)) ?? findKeyByHash(dbOf(env.DB), hash);

/** The key with this hash (revoked ones too: the caller refuses them), or undefined when there is none. */
export const lookupKey = (env: Env, hash: string, now: number, background?: BackgroundContext): Promise<KeyLookup | undefined> => {
  const maxStaleMs = configOf(env).keyCacheTtlMs;
  if (maxStaleMs <= 0) return readKey(env, hash);
  const coloTtlMs = Math.min(KEY_COLO_TTL_MS, maxStaleMs);
  const load = throughColo<KeyLookup | undefined>(
    { name: coloName(hash), ttlMs: (found) => (found === undefined ? Math.min(UNKNOWN_KEY_COLO_TTL_MS, coloTtlMs) : coloTtlMs), read: () => readKey(env, hash) },
    background,
  );
  return keysFor(maxStaleMs).get(hash, now, load, background);
};

/** Drops this isolate's entries for a key id. */
export const forgetKeyId = (keyId: string): void => {
  cache?.keys.invalidateWhere((found) => found?.key.id === keyId);
};

/** After an admin write to a key: this isolate and this colo read it from D1 on the next request. */
export const forgetKey = async (key: { id: string; keyHash: string }): Promise<void> => {
  forgetKeyId(key.id);
  await forgetColo(coloName(key.keyHash));
};
