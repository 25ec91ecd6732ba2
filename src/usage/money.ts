/** Money is integer micro-dollars in storage and arithmetic; dollars appear only at the API edge. */
export const MICROS_PER_DOLLAR = 1_000_000;

/** Dollars (as an API number) for stored micro-dollars. */
export const dollarsOf = (micros: number): number => micros / MICROS_PER_DOLLAR;

/** Micro-dollars for dollars given by an operator, rounded to the nearest micro-dollar. */
export const microsOf = (dollars: number): number => Math.round(dollars * MICROS_PER_DOLLAR);

/** Exact decimal text of a micro-dollar amount ("-0.000125"), for CSV where floats must not drift. */
export const dollarText = (micros: number): string => {
  const sign = micros < 0 ? '-' : '';
  const absolute = Math.abs(micros);
  const whole = Math.floor(absolute / MICROS_PER_DOLLAR);
  const fraction = String(absolute % MICROS_PER_DOLLAR).padStart(6, '0');
  return `${sign}${whole}.${fraction}`;
};

/**
 * Money for people, with one precision rule everywhere (ledger, balances, messages): the sign before
 * the dollar sign, at least cents, and every further micro-dollar digit that is not zero, so nothing
 * is rounded away and ledger lines visibly add up to the balance: "-$0.04", "$12.50", "$0.000125".
 */
export const formatDollars = (micros: number): string => {
  const exact = dollarText(Math.round(micros));
  const negative = exact.startsWith('-');
  const [whole, fraction = ''] = (negative ? exact.slice(1) : exact).split('.');
  return `${negative ? '-' : ''}$${whole}.${fraction.replace(/0+$/, '').padEnd(2, '0')}`;
};
