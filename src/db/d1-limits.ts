/**
 * D1 binds at most 100 parameters per statement. Local SQLite allows far more, so a write that
 * passes every local test can still fail in production: size statements from this number.
 */
export const D1_MAX_BOUND_PARAMETERS = 100;

export const chunksOf = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
};
