/** What a background refresh may be kept alive with: a request's ExecutionContext. */
export interface BackgroundContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** A loaded value and when it was read from its source (earlier than now when it came from a shared cache). */
export interface Timed<T> {
  value: T;
  readAt: number;
}

/**
 * What a load is asked for. `sharedNewerThan`: a shared cache in front of the source may answer with
 * a copy read after that instant (-Infinity: any copy it still holds); null: only the source will do
 * (a background refresh, whose whole point is to see changes).
 */
export interface LoadRequest {
  now: number;
  sharedNewerThan: number | null;
}

export type Loader<T> = (request: LoadRequest) => Promise<Timed<T>>;

export interface RefreshingMapOptions<T> {
  freshMs: number;
  maxStaleMs: number;
  maxEntries?: number;
  /** Values for which this returns false are handed to their callers but not kept (e.g. "no such key"). */
  keep?: (value: T) => boolean;
}

export interface RefreshingMap<K, T> {
  /**
   * The cached value while it was read less than `freshMs` ago. Older but younger than `maxStaleMs`, and
   * with a context to refresh in: still the cached value, with one refresh started in the background.
   * Otherwise (nothing cached, too old, or no context) the caller waits for a load.
   */
  get(key: K, now: number, load: Loader<T>, background?: BackgroundContext): Promise<T>;
  /** Forgets one entry: the next get() loads, and a refresh already running cannot put the old value back. */
  invalidate(key: K): void;
  /** Forgets every entry whose value matches, and every entry still loading (its value is not known yet). */
  invalidateWhere(matches: (value: T) => boolean): void;
  clear(): void;
}

interface Entry<T> {
  value: Promise<T>;
  /** When the value was read from its source; while loading, when the load started. */
  loadedAt: number;
  settled?: { value: T };
  refreshing: boolean;
}

/**
 * Per-isolate stale-while-revalidate cache of values read from a far store (D1's primary may be a
 * continent away): a busy isolate never waits on the store once warm, and a failed load keeps nothing.
 * An entry is replaced only by the load it started, so an invalidation is never undone by a late refresh.
 */
export const refreshingMap = <K, T>(options: RefreshingMapOptions<T>): RefreshingMap<K, T> => {
  const { freshMs, maxStaleMs, maxEntries = 10_000, keep = () => true } = options;
  const entries = new Map<K, Entry<T>>();

  const store = (key: K, entry: Entry<T>): void => {
    entries.delete(key);
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done !== true) entries.delete(oldest.value);
    }
    entries.set(key, entry);
  };

  const loadNow = (key: K, now: number, load: Loader<T>, sharedNewerThan: number): Promise<T> => {
    const timed = load({ now, sharedNewerThan });
    const current: Entry<T> = { value: timed.then((loaded) => loaded.value), loadedAt: now, refreshing: false };
    store(key, current);
    timed.then(
      (loaded) => {
        if (entries.get(key) !== current) return;
        if (!keep(loaded.value)) {
          entries.delete(key);
          return;
        }
        current.loadedAt = loaded.readAt;
        current.settled = { value: loaded.value };
      },
      () => {
        if (entries.get(key) === current) entries.delete(key);
      },
    );
    return current.value;
  };

  const refreshInBackground = (key: K, entry: Entry<T>, now: number, load: Loader<T>, background: BackgroundContext): void => {
    entry.refreshing = true;
    const refreshed = load({ now, sharedNewerThan: null }).then(
      (loaded) => {
        if (entries.get(key) !== entry) return;
        if (!keep(loaded.value)) entries.delete(key);
        else store(key, { value: Promise.resolve(loaded.value), loadedAt: loaded.readAt, settled: { value: loaded.value }, refreshing: false });
      },
      // A failed refresh keeps the entry; the next request past freshMs tries again.
      () => undefined,
    );
    background.waitUntil(refreshed.finally(() => (entry.refreshing = false)));
  };

  return {
    get(key, now, load, background) {
      const entry = entries.get(key);
      if (entry === undefined) return loadNow(key, now, load, -Infinity);
      const age = now - entry.loadedAt;
      if (age < freshMs && age >= -freshMs) return entry.value;
      if (background !== undefined && entry.settled !== undefined && age < maxStaleMs) {
        if (!entry.refreshing) refreshInBackground(key, entry, now, load, background);
        return entry.value;
      }
      // Too old for this isolate: a shared copy helps only if it was read after ours.
      return loadNow(key, now, load, entry.settled === undefined ? -Infinity : entry.loadedAt);
    },
    invalidate(key) {
      entries.delete(key);
    },
    invalidateWhere(matches) {
      for (const [key, entry] of entries) if (entry.settled === undefined || matches(entry.settled.value)) entries.delete(key);
    },
    clear() {
      entries.clear();
    },
  };
};
