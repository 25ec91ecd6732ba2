import { afterEach, describe, expect, it } from 'vitest';
import type { WireFormat } from '../../src/ir/format';
import { WIRE_FORMATS } from '../../src/ir/format';
import type { IrRequest } from '../../src/ir/request';
import { codecFor } from '../../src/protocols/registry';
import { decodeSseStage } from '../../src/streams/sse-decode';
import { stageStep } from '../../src/streams/stage-step';
import { sseFraming } from '../../src/streams/stream-framing';
import { StreamRelay } from '../../src/streams/stream-relay';
import { translatedRenderer } from '../../src/streams/stream-render';
import { newOutcome } from '../../src/streams/usage-tap';
import { longUpstreamStreams } from './long-upstream-streams';

/**
 * The translated stream's per-event cost, as counted operations (workerd's clocks stand still while
 * code runs, so a CPU budget cannot be timed here): over a 200-delta stream, for every pair of
 * formats, each upstream event is parsed once, each client delta costs one string escape and no
 * object serialization (the encoders splice the text into pre-built JSON), and the events of one
 * upstream chunk reach the client as one encoded chunk. Fails if a codec goes back to
 * `JSON.stringify` of an event object per delta, parses an event twice, or encodes per event.
 */
const DELTAS = 200;
/** Object serializations allowed per stream, whatever its length: opening and closing events. */
const OBJECT_BUDGET = 16;

const piece = (i: number) => `word${i} "quoted" and\nmore `;

/** One upstream answer of DELTAS text deltas per format (Gemini's with its \r\n framing), usage 21 in / 977 out. */
const upstreamStreams = longUpstreamStreams(DELTAS, piece, { geminiCrlf: true });
const fullText = Array.from({ length: DELTAS }, (_, i) => piece(i)).join('');

const clientRequest = (client: WireFormat): IrRequest => ({
  model: 'client-model',
  system: [],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: true,
  streamUsage: client === 'openai-chat',
});

interface Counts {
  parses: number;
  objectStringifies: number;
  stringStringifies: number;
  encodes: number;
}

const originalParse = JSON.parse;
const originalStringify = JSON.stringify;
const originalEncode = TextEncoder.prototype.encode;
const restore = () => {
  JSON.parse = originalParse;
  JSON.stringify = originalStringify;
  TextEncoder.prototype.encode = originalEncode;
};
afterEach(restore);

const counting = (counts: Counts) => {
  JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
    counts.parses++;
    return originalParse(text, reviver);
  }) as typeof JSON.parse;
  JSON.stringify = ((value: unknown, replacer?: never, space?: string | number) => {
    if (typeof value === 'string') counts.stringStringifies++;
    else counts.objectStringifies++;
    return originalStringify(value, replacer, space);
  }) as typeof JSON.stringify;
  TextEncoder.prototype.encode = function encode(this: TextEncoder, input?: string) {
    counts.encodes++;
    return originalEncode.call(this, input);
  };
};

/** `events` grouped `perChunk` to an upstream chunk. */
const chunked = (events: string[], perChunk: number): Uint8Array[] => {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < events.length; i += perChunk) chunks.push(encoder.encode(events.slice(i, i + perChunk).join('')));
  return chunks;
};

/** The text of a client-format stream, read back with that format's own stream decoder. */
const textOf = (client: WireFormat, body: string): string => {
  const sse = stageStep(decodeSseStage());
  const decoder = stageStep(codecFor(client).decodeStreamStage());
  const events = [...sse.push(new TextEncoder().encode(body)), ...sse.end()];
  const ir = [...events.flatMap((event) => decoder.push(event)), ...decoder.end()];
  expect(ir.find((event) => event.type === 'error')).toBeUndefined();
  return ir.map((event) => (event.type === 'block_delta' && event.delta.type === 'text' ? event.delta.text : '')).join('');
};

/** Relays `chunks` of an `upstream` stream to a `client` of another format through the relay's translated path. */
const translate = async (upstream: WireFormat, client: WireFormat, chunks: Uint8Array[]) => {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  const outcome = newOutcome();
  const counts: Counts = { parses: 0, objectStringifies: 0, stringStringifies: 0, encodes: 0 };
  const encoder = codecFor(client).encodeStreamStage({ requestId: 'req_budget', request: clientRequest(client), created: 1_700_000_000 });
  counting(counts);
  const relay = new StreamRelay({
    body,
    label: 'budget',
    decoder: codecFor(upstream).decodeStreamStage(),
    renderer: translatedRenderer(encoder, sseFraming()),
    outcome,
    idleMs: 10_000,
    firstContentBy: Date.now() + 10_000,
    abortUpstream: () => {},
    onMidStreamFailure: () => {},
  });
  const reader = (await relay.open()).getReader();
  const received: Uint8Array[] = [];
  for (let read = await reader.read(); !read.done; read = await reader.read()) received.push(read.value);
  restore();
  const decoder = new TextDecoder();
  const text = received.map((chunk) => decoder.decode(chunk, { stream: true })).join('') + decoder.decode();
  return { counts, outcome, text, clientChunks: received.length };
};

const PAIRS = WIRE_FORMATS.flatMap((upstream) => WIRE_FORMATS.filter((client) => client !== upstream).map((client) => [upstream, client] as const));

describe('translated stream cost per event', () => {
  it('covers all twelve format pairs', () => {
    expect(PAIRS).toHaveLength(12);
  });

  it.each(PAIRS)('%s → %s: one parse per upstream event, one string escape and no object serialization per delta', async (upstream, client) => {
    const events = upstreamStreams[upstream];
    const { counts, outcome, text } = await translate(upstream, client, chunked(events, 1));
    expect(textOf(client, text)).toBe(fullText);
    expect(outcome.usage.inputTokens).toBe(21);
    expect(outcome.usage.outputTokens).toBe(977);
    expect(outcome.finished).toBe(true);
    const { parses, objectStringifies, stringStringifies, encodes } = counts;
    expect(parses, `${parses} JSON.parse calls for ${events.length} upstream events`).toBeLessThanOrEqual(events.length);
    expect(objectStringifies, `${objectStringifies} objects serialized for ${DELTAS} deltas`).toBeLessThanOrEqual(OBJECT_BUDGET);
    expect(stringStringifies, `${stringStringifies} string escapes for ${DELTAS} deltas`).toBeLessThanOrEqual(DELTAS + OBJECT_BUDGET);
    expect(encodes, `${encodes} TextEncoder.encode calls for ${events.length} upstream chunks`).toBeLessThanOrEqual(events.length + 1);
  });

  it.each(PAIRS)('%s → %s: the events of one upstream chunk go out as one encoded client chunk', async (upstream, client) => {
    const events = upstreamStreams[upstream];
    const chunks = chunked(events, 10);
    const { counts, text, clientChunks } = await translate(upstream, client, chunks);
    expect(textOf(client, text)).toBe(fullText);
    expect(counts.encodes, `${counts.encodes} TextEncoder.encode calls for ${chunks.length} upstream chunks`).toBeLessThanOrEqual(chunks.length + 1);
    expect(clientChunks).toBeLessThanOrEqual(chunks.length + 1);
  });
});
