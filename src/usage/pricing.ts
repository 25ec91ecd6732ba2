import type { IrUsage } from '../ir/usage';

export interface ModelPrice {
  inputPerMillionMicros: number;
  outputPerMillionMicros: number;
  cacheReadPerMillionMicros: number;
  cacheWritePerMillionMicros: number;
}

/**
 * Cost in integer micro-dollars. Input is billed without its cached parts (they have their own
 * prices); output includes reasoning. Rounded up once at the end, never per component.
 */
export const costMicros = (usage: IrUsage, price: ModelPrice | undefined): number => {
  if (price === undefined) return 0;
  const uncachedInput = Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens);
  const total =
    uncachedInput * price.inputPerMillionMicros +
    usage.outputTokens * price.outputPerMillionMicros +
    usage.cacheReadTokens * price.cacheReadPerMillionMicros +
    usage.cacheWriteTokens * price.cacheWritePerMillionMicros;
  return Math.ceil(total / 1_000_000);
};
