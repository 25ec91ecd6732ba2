import { describe, expect, it } from 'vitest';
import type { IrRequest } from '../../src/ir/request';
import { emptyUsage } from '../../src/ir/usage';
import { REASONING_FLOOR_TOKENS, requestEstimateOf, settledStreamUsage } from '../../src/relay/token-estimate';
import { newOutcome } from '../../src/streams/usage-tap';

const request: IrRequest = { model: 'm', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(400) }] }], stream: true };
const estimate = () => requestEstimateOf(request, 480);

describe('settledStreamUsage', () => {
  it('keeps the upstream count of a stream that finished', () => {
    const outcome = { ...newOutcome(), finished: true, generatedChars: 4000, usage: { ...emptyUsage(), inputTokens: 7, outputTokens: 3 } };
    expect(settledStreamUsage(outcome, estimate)).toEqual({ usage: outcome.usage, estimated: false });
  });

  it('estimates both counts of a stream cut before the OpenAI-style final usage, and says so', () => {
    const outcome = { ...newOutcome(), generatedChars: 400 };
    const { usage, estimated } = settledStreamUsage(outcome, estimate);
    expect(estimated).toBe(true);
    expect(usage.outputTokens).toBe(100);
    expect(usage.inputTokens).toBeGreaterThanOrEqual(100);
  });

  it('keeps counts the upstream already reported (Anthropic input at the start) and raises only what is short', () => {
    const outcome = { ...newOutcome(), generatedChars: 40, usage: { ...emptyUsage(), inputTokens: 12, outputTokens: 1 } };
    expect(settledStreamUsage(outcome, estimate)).toEqual({ usage: { ...emptyUsage(), inputTokens: 12, outputTokens: 10 }, estimated: true });
  });

  it('is not an estimate when the reported counts already cover what was streamed (Gemini reports as it goes)', () => {
    const outcome = { ...newOutcome(), generatedChars: 40, usage: { ...emptyUsage(), inputTokens: 12, outputTokens: 30 } };
    expect(settledStreamUsage(outcome, estimate)).toEqual({ usage: outcome.usage, estimated: false });
  });

  it('asks for the request estimate only when a count is missing', () => {
    const outcome = { ...newOutcome(), generatedChars: 40, usage: { ...emptyUsage(), inputTokens: 12, outputTokens: 30 } };
    expect(settledStreamUsage(outcome, () => expect.unreachable('both counts were reported'))).toEqual({ usage: outcome.usage, estimated: false });
  });
});

describe('requestEstimateOf', () => {
  it('takes the input from the body length and the reasoning floor from the decoded request, as numbers', () => {
    expect(requestEstimateOf(request, 10_000)).toEqual({ inputTokens: 2_500, reasoningFloor: 0 });
    expect(requestEstimateOf({ ...request, reasoning: { enabled: true, effort: 'high' } }, 10_000)).toEqual({ inputTokens: 2_500, reasoningFloor: REASONING_FLOOR_TOKENS });
    expect(requestEstimateOf(undefined, 10_000)).toEqual({ inputTokens: 2_500, reasoningFloor: 0 });
  });
});
