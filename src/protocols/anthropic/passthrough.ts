import type { EncodedUpstreamRequest, UpstreamTarget } from '../codec';
import { isRecord } from '../shared/json-guards';
import type { JsonRecord } from '../shared/json-guards';
import { cappedField } from '../shared/output-cap';
import { ANTHROPIC_MESSAGES_PATH } from './encode-request';
import { withoutForeignThinking } from './passthrough-thinking';

/** The API's smallest thinking budget. */
const MIN_BUDGET = 1024;

/**
 * `max_tokens` capped to the model's ceiling; a thinking budget must stay below it, so it shrinks
 * too, and thinking is left off when the ceiling leaves no room for the smallest budget (as the
 * translating encoder does).
 */
const withCappedOutput = (body: JsonRecord, maxTokens: number): JsonRecord => {
  const rewritten: JsonRecord = { ...body, max_tokens: maxTokens };
  const thinking = body.thinking;
  if (!isRecord(thinking) || thinking.type !== 'enabled' || typeof thinking.budget_tokens !== 'number') return rewritten;
  if (thinking.budget_tokens < maxTokens) return rewritten;
  if (maxTokens - 1 < MIN_BUDGET) delete rewritten.thinking;
  else rewritten.thinking = { ...thinking, budget_tokens: maxTokens - 1 };
  return rewritten;
};

/**
 * Same-format passthrough: the model, the output cap, and thinking blocks another upstream minted
 * (passthrough-thinking.ts); everything else, `cache_control` included, goes as the client sent it.
 * Returns `body` itself when nothing changes.
 */
export const rewriteAnthropicPassthrough = (body: JsonRecord, target: UpstreamTarget): EncodedUpstreamRequest => {
  let rewritten = body;
  if (body.model !== target.model) rewritten = { ...rewritten, model: target.model };
  const maxTokens = cappedField(body, 'max_tokens', target);
  if (maxTokens !== undefined) rewritten = withCappedOutput(rewritten, maxTokens);
  rewritten = withoutForeignThinking(rewritten) ?? rewritten;
  return { path: ANTHROPIC_MESSAGES_PATH, body: rewritten };
};
