import type { IrEffort } from '../../ir/request';

/**
 * The relay's convention for effort ↔ token budget (vendors publish no cross-walk, so these are the
 * relay's own choice). Budgets are what Anthropic budget models and Gemini 2.5
 * `thinkingBudget` take.
 */
const BUDGET_FOR_EFFORT: Record<Exclude<IrEffort, 'none' | 'max'>, number> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 32768,
};

/** Token budget for an effort; `max` takes everything below `maxOutputTokens`. 0 = off. */
export const budgetForEffort = (effort: IrEffort, maxOutputTokens?: number): number => {
  if (effort === 'none') return 0;
  if (effort === 'max') return Math.max(1024, (maxOutputTokens ?? 65536) - 1);
  return BUDGET_FOR_EFFORT[effort];
};

/** Effort for a budget: ≤1024 low, ≤8192 medium, ≤24576 high, larger xhigh; 0 none; -1 (dynamic) medium. */
export const effortForBudget = (budget: number): IrEffort => {
  if (budget === 0) return 'none';
  if (budget < 0) return 'medium';
  if (budget <= 1024) return 'low';
  if (budget <= 8192) return 'medium';
  if (budget <= 24576) return 'high';
  return 'xhigh';
};
