/**
 * Runs `work` once the handler has returned its response: one timer turn later, kept alive by
 * waitUntil. Accounting (usage decode, quota release, the usage queue send) then costs the client
 * no latency; a failure is logged, never thrown into the request.
 */
export const afterResponse = (ctx: { waitUntil(promise: Promise<unknown>): void }, requestId: string, work: () => Promise<void> | void): void => {
  ctx.waitUntil(
    new Promise<void>((resolve) => setTimeout(resolve, 0))
      .then(work)
      .catch((error: unknown) => console.error(JSON.stringify({ message: 'accounting after the response failed', requestId, error: String(error) }))),
  );
};
