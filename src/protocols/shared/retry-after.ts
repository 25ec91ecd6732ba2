/**
 * Retry hints in both directions. Upstreams send `retry-after-ms` (OpenAI), `retry-after` in seconds,
 * or `retry-after` as an HTTP date; clients get whole seconds plus the millisecond form that
 * openai-node and anthropic-sdk read first.
 */
export const retryAfterSecondsFromHeaders = (headers: Headers, now: number = Date.now()): number | undefined => {
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null) {
    const value = Number(milliseconds);
    if (Number.isFinite(value) && value >= 0) return Math.ceil(value / 1000);
  }
  const header = headers.get('retry-after');
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(header);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
};

export const retryAfterHeaders = (seconds: number | undefined): Record<string, string> =>
  seconds === undefined
    ? {}
    : { 'retry-after': String(Math.ceil(seconds)), 'retry-after-ms': String(Math.round(seconds * 1000)) };
