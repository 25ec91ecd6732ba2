/** Percent marks of an account's monthly budget and of a key's monthly spend cap. */
export const SPEND_THRESHOLDS = [50, 80, 100] as const;
/** Percent marks of a key's 5-hour and weekly request windows. */
export const QUOTA_THRESHOLDS = [80, 100] as const;

/** The marks `used` has reached out of `limit` (integers; exact, no float rounding). */
export const thresholdsReached = (used: number, limit: number, marks: readonly number[]): number[] =>
  limit <= 0 ? [] : marks.filter((mark) => used * 100 >= limit * mark);

/**
 * The marks the request that brought a window to `used` crossed: the limiter admits one request at a
 * time, so exactly one admission sees each mark's count, and every other admission costs nothing here.
 */
export const thresholdsCrossedAt = (used: number, limit: number, marks: readonly number[]): number[] =>
  thresholdsReached(used, limit, marks).filter((mark) => (used - 1) * 100 < limit * mark);
