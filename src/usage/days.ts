/** Usage days are UTC calendar days, written YYYY-MM-DD (the usage_daily.day column). */
export const DAY_MS = 86_400_000;

export const dayOf = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 10);

/** The day `count` days before the day of `epochMs`. */
export const dayBefore = (epochMs: number, count: number): string => dayOf(epochMs - count * DAY_MS);

/** Epoch ms of 00:00 UTC on a YYYY-MM-DD day. */
export const dayStart = (day: string): number => Date.parse(`${day}T00:00:00Z`);

/** First day of the UTC month of `epochMs`, and the instant the next month starts. */
export const monthOf = (epochMs: number): { firstDay: string; nextMonthStart: number } => {
  const date = new Date(epochMs);
  const firstDay = `${date.toISOString().slice(0, 7)}-01`;
  return { firstDay, nextMonthStart: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) };
};

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** true for a real calendar day in YYYY-MM-DD form (2026-02-30 is not one). */
export const isDay = (value: string): boolean => {
  if (!DAY_PATTERN.test(value)) return false;
  const start = dayStart(value);
  return !Number.isNaN(start) && dayOf(start) === value;
};
