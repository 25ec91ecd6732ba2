import { afterEach, vi } from 'vitest';

export type FakeHandler = (request: Request) => Promise<Response> | Response;

/**
 * Routes the Worker's outbound fetch() by origin to in-process fake upstreams (the Worker under test
 * runs in the test's isolate, so the global applies to it). Any other origin fails loudly: tests
 * never reach the network.
 */
export const installFakeUpstreams = (routes: Record<string, FakeHandler>): void => {
  const original = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const origin = new URL(request.url).origin;
    const handler = routes[origin];
    if (handler === undefined) throw new TypeError(`test network: no fake upstream for ${origin}`);
    return handler(request);
  });
  void original;
};

afterEach(() => {
  vi.restoreAllMocks();
});
