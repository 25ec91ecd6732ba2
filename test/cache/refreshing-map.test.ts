import { expect, it } from 'vitest';
import { refreshingMap, type BackgroundContext, type LoadRequest } from '../../src/cache/refreshing-map';

const backgroundTasks = () => {
  const pending: Array<Promise<unknown>> = [];
  const context: BackgroundContext = { waitUntil: (promise) => void pending.push(promise) };
  return { context, settle: () => Promise.all(pending.splice(0)) };
};

const loaderOf = (values: string[], requests: LoadRequest[], readAtShift = 0) => async (request: LoadRequest) => {
  requests.push(request);
  return { value: values.shift() ?? 'none', readAt: request.now - readAtShift };
};

it('keeps keys apart and tells each load whether a shared copy may answer it', async () => {
  const map = refreshingMap<string, string>({ freshMs: 10, maxStaleMs: 100 });
  const requests: LoadRequest[] = [];
  const { context, settle } = backgroundTasks();
  expect(await map.get('a', 0, loaderOf(['a1'], requests), context)).toBe('a1');
  expect(await map.get('b', 0, loaderOf(['b1'], requests), context)).toBe('b1');
  // Cold: any shared copy will do.
  expect(requests.map((request) => request.sharedNewerThan)).toEqual([-Infinity, -Infinity]);
  // Stale with a context: the old value, and a refresh that must read the source.
  expect(await map.get('a', 20, loaderOf(['a2'], requests), context)).toBe('a1');
  await settle();
  expect(requests[2]?.sharedNewerThan).toBeNull();
  expect(await map.get('a', 21, loaderOf([], requests), context)).toBe('a2');
  // Too old: the caller waits, and a shared copy helps only if read after ours.
  expect(await map.get('b', 200, loaderOf(['b2'], requests), context)).toBe('b2');
  expect(requests[3]?.sharedNewerThan).toBe(0);
});

it('a copy keeps its read time: one read long ago is refreshed at once', async () => {
  const map = refreshingMap<string, string>({ freshMs: 10, maxStaleMs: 100 });
  const requests: LoadRequest[] = [];
  const { context, settle } = backgroundTasks();
  expect(await map.get('k', 50, loaderOf(['old copy'], requests, 40), context)).toBe('old copy');
  expect(await map.get('k', 51, loaderOf(['fresh'], requests), context)).toBe('old copy');
  await settle();
  expect(await map.get('k', 52, loaderOf([], requests), context)).toBe('fresh');
});

it('does not keep what `keep` refuses, and an invalidation is not undone by a refresh in flight', async () => {
  const map = refreshingMap<string, string | undefined>({ freshMs: 10, maxStaleMs: 100, keep: (value) => value !== undefined });
  const requests: LoadRequest[] = [];
  const { context, settle } = backgroundTasks();
  const unknown = async (request: LoadRequest) => (requests.push(request), { value: undefined, readAt: request.now });
  expect(await map.get('x', 0, unknown, context)).toBeUndefined();
  expect(await map.get('x', 1, unknown, context)).toBeUndefined();
  expect(requests).toHaveLength(2);

  await map.get('y', 0, loaderOf(['y1'], requests), context);
  let release = () => {};
  const slowRefresh = async (request: LoadRequest) => {
    await new Promise<void>((resolve) => (release = resolve));
    return { value: 'y2', readAt: request.now };
  };
  expect(await map.get('y', 20, slowRefresh, context)).toBe('y1');
  map.invalidateWhere((value) => value === 'y1');
  release();
  await settle();
  expect(await map.get('y', 21, loaderOf(['y3'], requests), context)).toBe('y3');
});
