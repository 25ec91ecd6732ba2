import type { IrRequest } from '../ir/request';
import type { IrUsage } from '../ir/usage';
import type { StreamOutcome } from './usage-tap';

/** ~4 characters per token: the relay's estimate wherever the upstream gives no count. */
export const tokensOfChars = (chars: number): number => Math.ceil(chars / 4);

/** Input tokens of a request, estimated over its text, tool definitions and history. */
export const estimateRequestTokens = (request: IrRequest): number =>
  Math.max(1, tokensOfChars(JSON.stringify({ s: request.system, m: request.messages, t: request.tools ?? [] }).length));

/**
 * The usage to record for a stream. When it ended before the upstream's own final count (client
 * gone, upstream cut: OpenAI formats report usage only at the very end), what is missing is
 * estimated from what was sent and streamed, and flagged, so an abandoned stream is never free: the
 * upstream accepted the request, so its input was spent even if nothing was streamed yet.
 */
export const settledStreamUsage = (outcome: StreamOutcome, request: () => IrRequest | undefined): { usage: IrUsage; estimated: boolean } => {
  const reported = outcome.usage;
  if (outcome.finished) return { usage: reported, estimated: false };
  const outputTokens = Math.max(reported.outputTokens, tokensOfChars(outcome.generatedChars));
  let inputTokens = reported.inputTokens;
  if (inputTokens === 0) {
    const decoded = request();
    if (decoded !== undefined) inputTokens = estimateRequestTokens(decoded);
  }
  const estimated = outputTokens !== reported.outputTokens || inputTokens !== reported.inputTokens;
  return { usage: { ...reported, inputTokens, outputTokens }, estimated };
};
