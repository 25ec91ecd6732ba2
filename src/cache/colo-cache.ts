import type { BackgroundContext, Loader, Timed } from './refreshing-map';

/**
 * The Workers Cache API (caches.default) as a colo-level cache in front of D1: an isolate that starts
 * cold in a location where others are busy takes their copy instead of a round trip to D1's primary.
 * The cache is per data centre and best-effort (entries may vanish at any time). It does nothing on
 * *.workers.dev hosts, where every cold isolate goes to D1; on a custom domain it works.
 * The host below is never served: it only names entries.
 */
const ORIGIN = 'https://colo-cache.polyrelay.internal/';
/** Machines in one colo may disagree on the time by a little; a copy from further in the future is not trusted. */
const CLOCK_SKEW_MS = 1_000;

interface Stored<T> extends Timed<T> {
  ttlMs: number;
}

const coloCache = (): Cache | undefined => (typeof caches === 'undefined' ? undefined : caches.default);
const urlOf = (name: string): string => `${ORIGIN}${name}`;

/** A copy younger than its TTL and read after `newerThan`, or undefined. Cache trouble reads as a miss. */
const readColo = async <T>(name: string, now: number, newerThan: number): Promise<Timed<T> | undefined> => {
  try {
    const hit = await coloCache()?.match(urlOf(name));
    if (hit === undefined) return undefined;
    const stored = await hit.json<Stored<T>>();
    const age = now - stored.readAt;
    if (age >= stored.ttlMs || age < -CLOCK_SKEW_MS || stored.readAt <= newerThan) return undefined;
    return { value: stored.value, readAt: stored.readAt };
  } catch {
    return undefined;
  }
};

const writeColo = async <T>(name: string, timed: Timed<T>, ttlMs: number): Promise<void> => {
  const stored: Stored<T> = { ...timed, ttlMs };
  const response = new Response(JSON.stringify(stored), {
    headers: { 'content-type': 'application/json', 'cache-control': `max-age=${Math.max(1, Math.ceil(ttlMs / 1000))}` },
  });
  await coloCache()
    ?.put(urlOf(name), response)
    .catch(() => undefined);
};

/** Deletes this colo's copy; admin writes await it, so the next request in the same colo reads D1. */
export const forgetColo = async (name: string): Promise<void> => {
  await coloCache()
    ?.delete(urlOf(name))
    .catch(() => false);
};

export interface ColoCached<T> {
  /** Entry name; carries a version to bump when the stored shape changes. */
  name: string;
  /** How long a copy may serve cold isolates; 0 keeps none. Must stay within the cache's stated bound. */
  ttlMs: (value: T) => number;
  read: () => Promise<T>;
}

/**
 * A loader for refreshingMap that asks the colo cache first when the request allows a shared copy,
 * and otherwise reads the source and leaves its copy for the colo (in the background when it can).
 * A copy keeps its original read time, so the isolate's staleness bounds count from the D1 read.
 */
export const throughColo =
  <T>(cached: ColoCached<T>, background?: BackgroundContext): Loader<T> =>
  async ({ now, sharedNewerThan }) => {
    if (sharedNewerThan !== null) {
      const copy = await readColo<T>(cached.name, now, sharedNewerThan);
      if (copy !== undefined) return copy;
    }
    const timed = { value: await cached.read(), readAt: now };
    const ttlMs = cached.ttlMs(timed.value);
    if (ttlMs > 0) {
      const write = writeColo(cached.name, timed, ttlMs);
      if (background === undefined) await write;
      else background.waitUntil(write);
    }
    return timed;
  };
