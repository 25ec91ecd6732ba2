import type { IrEffort, IrReasoning } from '../../ir/request';
import type { AnthropicEffort } from './schema';

/**
 * IR reasoning → Anthropic `thinking`, `output_config.effort` and `max_tokens` (the relay's
 * effort ↔ budget convention: vendors publish no cross-walk).
 * - a token budget ⇒ `{type:"enabled", budget_tokens}` (budget models); the budget must be ≥1024
 *   and below `max_tokens`, so it is raised to 1024 and clamped to `max_tokens − 1`; when the
 *   client's own limit leaves no room (≤1024) thinking is left off rather than breaking the limit;
 * - only an effort (or just "on") ⇒ `{type:"adaptive"}` + `output_config.effort`: the relay cannot
 *   tell the model generation, and adaptive is what current models take (Claude 5 / Opus 4.7+
 *   reject `enabled`). A budget model upstream answers that with a 400, relayed as is;
 * - off / effort "none" / budget 0 ⇒ no `thinking` field (some models reject `disabled`).
 * `max_tokens` is required: without an IR limit it defaults to 8192, or budget + 4096 when a
 * larger budget needs the room.
 */
const DEFAULT_MAX_TOKENS = 8192;
const MIN_BUDGET = 1024;
const ANSWER_ROOM = 4096;

export type AnthropicThinkingOut =
  | { type: 'enabled'; budget_tokens: number; display?: 'summarized' | 'omitted' }
  | { type: 'adaptive'; display?: 'summarized' | 'omitted' };

export interface AnthropicThinkingPlan {
  maxTokens: number;
  thinking?: AnthropicThinkingOut;
  effort?: AnthropicEffort;
}

const EFFORT: Record<Exclude<IrEffort, 'none'>, AnthropicEffort> = {
  minimal: 'low',
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'xhigh',
  max: 'max',
};

const displayFor = (reasoning: IrReasoning): { display?: 'summarized' | 'omitted' } =>
  reasoning.visible === undefined ? {} : { display: reasoning.visible ? 'summarized' : 'omitted' };

export const planAnthropicThinking = (reasoning: IrReasoning | undefined, maxOutputTokens: number | undefined): AnthropicThinkingPlan => {
  const off: AnthropicThinkingPlan = { maxTokens: maxOutputTokens ?? DEFAULT_MAX_TOKENS };
  if (reasoning === undefined || !reasoning.enabled || reasoning.effort === 'none') return off;
  const budget = reasoning.budgetTokens;
  if (budget === 0) return off;

  if (budget !== undefined && budget > 0) {
    let budgetTokens = Math.max(MIN_BUDGET, budget);
    let maxTokens: number;
    if (maxOutputTokens === undefined) {
      maxTokens = Math.max(DEFAULT_MAX_TOKENS, budgetTokens + ANSWER_ROOM);
    } else {
      maxTokens = maxOutputTokens;
      budgetTokens = Math.min(budgetTokens, maxTokens - 1);
      if (budgetTokens < MIN_BUDGET) return off;
    }
    return { maxTokens, thinking: { type: 'enabled', budget_tokens: budgetTokens, ...displayFor(reasoning) } };
  }

  // No budget, or a "dynamic" one (Gemini −1): let the model decide, steered by the effort.
  const plan: AnthropicThinkingPlan = { maxTokens: off.maxTokens, thinking: { type: 'adaptive', ...displayFor(reasoning) } };
  if (reasoning.effort !== undefined) plan.effort = EFFORT[reasoning.effort];
  return plan;
};
