import { refreshingMap, type BackgroundContext, type Loader } from './refreshing-map';

export type { BackgroundContext, LoadRequest, Timed } from './refreshing-map';

export interface RefreshingValue<T> {
  /** See RefreshingMap.get: fresh, stale-while-revalidate, or a load the caller waits for. */
  get(now: number, load: Loader<T>, background?: BackgroundContext): Promise<T>;
  /** Forgets the value: the next get() loads, and a refresh already running cannot put the old value back. */
  invalidate(): void;
}

/** refreshingMap for one value (the route table). */
export const refreshingValue = <T>(freshMs: number, maxStaleMs: number): RefreshingValue<T> => {
  const map = refreshingMap<'value', T>({ freshMs, maxStaleMs, maxEntries: 1 });
  return {
    get: (now, load, background) => map.get('value', now, load, background),
    invalidate: () => map.invalidate('value'),
  };
};
