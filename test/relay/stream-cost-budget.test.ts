import { afterEach, describe, expect, it } from 'vitest';
import type { WireFormat } from '../../src/ir/format';
import { codecFor } from '../../src/protocols/registry';
import { sseFraming } from '../../src/streams/stream-framing';
import { StreamRelay, type StreamRenderer } from '../../src/streams/stream-relay';
import { rawRenderer } from '../../src/streams/stream-render';
import { newOutcome } from '../../src/streams/usage-tap';
import { longUpstreamStreams } from './long-upstream-streams';

/**
 * The passthrough tap's per-event cost, as counted operations (a CPU budget cannot be timed inside
 * workerd, whose clocks stand still while code runs): over a 200-delta stream the relay must parse
 * only the events that carry usage, a stop reason or the first content, not every delta, and still
 * record the upstream's exact usage. Fails if a change brings back a parse per event.
 */
const DELTAS = 200;
/** Parses allowed per stream, whatever its length: preamble, first content, finish and usage events. */
const PARSE_BUDGET = 8;

const piece = (i: number) => `word${i} and more `;

const streams = longUpstreamStreams(DELTAS, piece);

const originalParse = JSON.parse;
afterEach(() => {
  JSON.parse = originalParse;
});

/** Relays `frames` (one upstream chunk each) as a same-format passthrough and counts JSON.parse calls. */
const passthrough = async (format: WireFormat, frames: string[], pipe: 'js' | 'native') => {
  const codec = codecFor(format);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const frame of frames) controller.enqueue(encoder.encode(frame));
      controller.close();
    },
  });
  const outcome = newOutcome();
  const renderer: StreamRenderer = rawRenderer(() => [], sseFraming());
  const skimmer = codec.passthroughSkimmer?.();
  let parses = 0;
  JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
    parses++;
    return originalParse(text, reviver);
  }) as typeof JSON.parse;
  const relay = new StreamRelay({
    body,
    label: 'budget',
    decoder: codec.decodeStreamStage(),
    renderer,
    outcome,
    idleMs: 10_000,
    firstContentBy: Date.now() + 10_000,
    abortUpstream: () => {},
    onMidStreamFailure: () => {},
    ...(skimmer === undefined ? {} : { skimmer }),
    ...(pipe === 'native' ? { nativePipe: {} } : {}),
  });
  const sent = await new Response(await relay.open()).text();
  JSON.parse = originalParse;
  return { parses, outcome, sent };
};

// Both paths: the JS pipe decodes what it writes, the native pipe's tap reads a tee of what the runtime pipes.
describe.each(['js', 'native'] as const)('passthrough tap cost per event (%s pipe)', (pipe) => {
  it.each(Object.keys(streams) as WireFormat[])('%s: a 200-delta stream costs a bounded number of parses and keeps exact usage', async (format) => {
    const frames = streams[format];
    const { parses, outcome, sent } = await passthrough(format, frames, pipe);
    expect(sent).toBe(frames.join(''));
    expect(parses, `${parses} JSON.parse calls for ${DELTAS} deltas`).toBeLessThanOrEqual(PARSE_BUDGET);
    expect(outcome.usage.inputTokens).toBe(21);
    expect(outcome.usage.outputTokens).toBe(977);
    expect(outcome.finished).toBe(true);
    expect(outcome.error).toBeUndefined();
  });

  it.each(Object.keys(streams) as WireFormat[])('%s: a stream cut after content still counts the skimmed text for the estimate', async (format) => {
    const frames = streams[format].slice(0, 60);
    const { outcome } = await passthrough(format, frames, pipe);
    expect(outcome.finished).toBe(false);
    expect(outcome.error).toBeDefined();
    // ~50 deltas of ~17 characters went by unparsed; the estimate must see most of them.
    expect(outcome.generatedChars).toBeGreaterThan(40 * piece(0).length);
  });
});
