/** What the refresh may be kept alive with: a request's ExecutionContext. */
export interface BackgroundContext {
  waitUntil(promise: Promise<unknown>): void;
}

export interface RefreshingValue<T> {
  /**
   * The cached value while it is younger than `freshMs`. Older but younger than `maxStaleMs`, and with a
   * context to refresh in: still the cached value, with one refresh started in the background. Otherwise
   * (nothing cached, too old, or no context) the caller waits for a fresh load.
   */
  get(now: number, load: () => Promise<T>, background?: BackgroundContext): Promise<T>;
  /** Forgets the value: the next get() loads, and a refresh already running cannot put the old value back. */
  invalidate(): void;
}

/**
 * Per-isolate stale-while-revalidate cache for one value read from a far store (D1's primary may be a
 * continent away): a busy isolate never waits on the store once warm, and a failed load keeps nothing.
 */
export const refreshingValue = <T>(freshMs: number, maxStaleMs: number): RefreshingValue<T> => {
  let entry: { value: Promise<T>; loadedAt: number; settled: boolean } | undefined;
  let generation = 0;
  let refreshing = false;

  const loadNow = (load: () => Promise<T>, now: number): Promise<T> => {
    const mine = ++generation;
    const value = load();
    const current = { value, loadedAt: now, settled: false };
    entry = current;
    value.then(
      () => (current.settled = true),
      () => {
        if (generation === mine) entry = undefined;
      },
    );
    return value;
  };

  const refreshInBackground = (load: () => Promise<T>, now: number, background: BackgroundContext): void => {
    refreshing = true;
    const mine = generation;
    const next = load();
    background.waitUntil(
      next.then(
        () => {
          if (generation === mine) entry = { value: next, loadedAt: now, settled: true };
        },
        () => undefined,
      ).finally(() => (refreshing = false)),
    );
  };

  return {
    get(now, load, background) {
      if (entry !== undefined) {
        const age = now - entry.loadedAt;
        if (age < freshMs && age >= -freshMs) return entry.value;
        if (background !== undefined && entry.settled && age < maxStaleMs) {
          if (!refreshing) refreshInBackground(load, now, background);
          return entry.value;
        }
      }
      return loadNow(load, now);
    },
    invalidate() {
      generation++;
      entry = undefined;
    },
  };
};
