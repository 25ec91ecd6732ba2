/**
 * Token usage in one normal form. Totals include their parts: `inputTokens` includes cache reads and
 * writes, `outputTokens` includes reasoning. Each codec converts to and from its own convention.
 */
export interface IrUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

export const emptyUsage = (): IrUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
});
