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

/**
 * The price of a request: its public model's, else its upstream model's, so an alias
 * (`sonnet` → `claude-sonnet-5`) costs what the model it reaches costs.
 */
export const priceOf = (
  prices: ReadonlyMap<string, ModelPrice>,
  event: { model: string; upstreamModel: string | null },
): ModelPrice | undefined => prices.get(event.model) ?? (event.upstreamModel === null ? undefined : prices.get(event.upstreamModel));

/** Every model name whose price could apply to these events (public and upstream names). */
export const priceLookupNames = (events: readonly ({ model?: unknown; upstreamModel?: unknown } | null)[]): string[] => {
  const names = new Set<string>();
  for (const event of events) {
    // A malformed body must fail only its own message, not the price lookup for the batch.
    if (typeof event?.model === 'string') names.add(event.model);
    if (typeof event?.upstreamModel === 'string') names.add(event.upstreamModel);
  }
  return [...names];
};
