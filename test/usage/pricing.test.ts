import { describe, expect, it } from 'vitest';
import type { IrUsage } from '../../src/ir/usage';
import { dollarText, microsOf } from '../../src/usage/money';
import { costMicros, type ModelPrice } from '../../src/usage/pricing';

// Anthropic-style prices: $3 in, $15 out, $0.30 cache read, $3.75 cache write per 1M tokens.
const price: ModelPrice = {
  inputPerMillionMicros: 3_000_000,
  outputPerMillionMicros: 15_000_000,
  cacheReadPerMillionMicros: 300_000,
  cacheWritePerMillionMicros: 3_750_000,
};

const usage = (overrides: Partial<IrUsage>): IrUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  ...overrides,
});

describe('cost arithmetic', () => {
  it('prices cached input separately: input totals include their cache reads and writes', () => {
    // 10,000 input of which 8,000 cache reads and 1,000 cache writes: 1,000 plain input.
    const cost = costMicros(usage({ inputTokens: 10_000, cacheReadTokens: 8_000, cacheWriteTokens: 1_000, outputTokens: 200 }), price);
    // 1,000 × 3 + 8,000 × 0.3 + 1,000 × 3.75 + 200 × 15 = 3,000 + 2,400 + 3,750 + 3,000 micro-dollars.
    expect(cost).toBe(12_150);
  });

  it('bills reasoning as the output it is part of, not on top', () => {
    expect(costMicros(usage({ outputTokens: 1_000, reasoningTokens: 800 }), price)).toBe(15_000);
  });

  it('rounds up once, on the total, never per component', () => {
    // 3 cache-read tokens = 0.9 µ$ → 1 (rounding each token up would give 3); 1 input + 3 cache reads = 3.9 µ$ → 4.
    expect(costMicros(usage({ inputTokens: 3, cacheReadTokens: 3 }), price)).toBe(1);
    expect(costMicros(usage({ inputTokens: 4, cacheReadTokens: 3 }), price)).toBe(4);
    expect(costMicros(usage({ outputTokens: 1 }), { ...price, outputPerMillionMicros: 1 })).toBe(1);
  });

  it('is exact in integers at large volumes', () => {
    // 1B output tokens at $75 / 1M = $75,000 = 75,000,000,000 µ$, far below 2^53.
    expect(costMicros(usage({ outputTokens: 1_000_000_000 }), { ...price, outputPerMillionMicros: 75_000_000 })).toBe(75_000_000_000);
  });

  it('costs nothing without a price, and never goes negative when cache counts exceed the input total', () => {
    expect(costMicros(usage({ inputTokens: 1_000, outputTokens: 1_000 }), undefined)).toBe(0);
    expect(costMicros(usage({ inputTokens: 10, cacheReadTokens: 20 }), price)).toBe(6);
  });

  it('converts dollars to micro-dollars and back without float drift', () => {
    expect(microsOf(0.1 + 0.2)).toBe(300_000);
    expect(microsOf(3.75)).toBe(3_750_000);
    expect(dollarText(12_150)).toBe('0.012150');
    expect(dollarText(-2_296)).toBe('-0.002296');
    expect(dollarText(75_000_000_000)).toBe('75000.000000');
  });
});
