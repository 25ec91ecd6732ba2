import type { IrRequest } from '../ir/request';
import type { IrUsage } from '../ir/usage';
import type { StreamOutcome } from '../streams/usage-tap';

/** ~4 characters per token: the relay's estimate wherever the upstream gives no count. */
export const tokensOfChars = (chars: number): number => Math.ceil(chars / 4);

/** Input tokens of a request, estimated over its text, tool definitions and history. */
export const estimateRequestTokens = (request: IrRequest): number =>
  Math.max(1, tokensOfChars(JSON.stringify({ s: request.system, m: request.messages, t: request.tools ?? [] }).length));

/**
 * The least hidden reasoning a request that asked for reasoning is charged when the upstream's own
 * count never came: a fixed floor (1,024 tokens), lowered to the client's own budget when it gave a
 * smaller one. Reasoning models think before their first visible token, so a client that leaves
 * early still leaves that work behind; the floor is deliberately low (an effort can spend far more).
 */
export const REASONING_FLOOR_TOKENS = 1024;

export const reasoningFloorOf = (request: IrRequest | undefined): number => {
  const reasoning = request?.reasoning;
  if (reasoning === undefined || reasoning.enabled === false) return 0;
  const budget = reasoning.budgetTokens;
  if (budget !== undefined) return budget > 0 ? Math.min(budget, REASONING_FLOOR_TOKENS) : 0;
  if (reasoning.effort === undefined || reasoning.effort === 'none') return 0;
  return REASONING_FLOOR_TOKENS;
};

/** What settling a stream's usage needs of its request (see settledStreamUsage), as figures. */
export interface RequestEstimate {
  inputTokens: number;
  reasoningFloor: number;
}

/**
 * Taken while the request is at hand, so that a stream keeps two numbers for its whole life instead
 * of the request they were read from: the input from the body's length (`bodyChars`, as the spend
 * hold reserved it: estimating from the decoded request would mean serializing it again on every
 * stream, ~4 ms per MB, for a figure only a stream without the upstream's own count uses), and the
 * reasoning floor of the decoded request (`request`, undefined when it does not decode: no floor).
 */
export const requestEstimateOf = (request: IrRequest | undefined, bodyChars: number): RequestEstimate => ({
  inputTokens: tokensOfChars(bodyChars),
  reasoningFloor: reasoningFloorOf(request),
});

/**
 * The usage to record for a stream (or an attempt the client left). When it ended before the
 * upstream's own final count (client gone, upstream cut: OpenAI formats report usage only at the very
 * end), what is missing is estimated and flagged, so an abandoned request is never free: the upstream
 * accepted it, so its input was spent even if nothing was streamed yet. Input: the upstream's count,
 * else the request's estimate (requestEstimateOf). Output: the upstream's count, else what was
 * streamed, at least the reasoning floor for a request that asked for reasoning (see reasoningFloorOf).
 * `estimate` is asked only when a count is missing.
 */
export const settledStreamUsage = (outcome: StreamOutcome, estimate: () => RequestEstimate): { usage: IrUsage; estimated: boolean } => {
  const reported = outcome.usage;
  if (outcome.finished) return { usage: reported, estimated: outcome.estimated === true };
  let known: RequestEstimate | undefined;
  const figures = (): RequestEstimate => (known ??= estimate());
  let inputTokens = reported.inputTokens;
  if (inputTokens === 0) inputTokens = figures().inputTokens;
  let outputTokens = reported.outputTokens;
  let reasoningTokens = reported.reasoningTokens;
  if (outputTokens === 0) {
    const floor = figures().reasoningFloor;
    outputTokens = Math.max(tokensOfChars(outcome.generatedChars), floor);
    if (reasoningTokens === 0 && floor > 0) reasoningTokens = floor;
  } else {
    outputTokens = Math.max(outputTokens, tokensOfChars(outcome.generatedChars));
  }
  const estimated = outputTokens !== reported.outputTokens || inputTokens !== reported.inputTokens;
  return { usage: { ...reported, inputTokens, outputTokens, reasoningTokens }, estimated };
};
