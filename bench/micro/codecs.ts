// Micro-benchmark entry, bundled by esbuild (bench/run.mjs) and run in Node 22: CPU time per
// upstream stream event for every codec pair, through the same TransformStream chain the relay
// builds (src/relay/translation-plan.ts), and for same-format passthrough the usage tap's work
// (src/relay/passthrough-plan.ts: SSE decode + the format's stream decoder, off the client's path)
// plus, for openai-chat, the passthrough filter chain. The *relay steps* rows drive the relay's own
// per-chunk code for a translation by plain calls, one upstream chunk per event (src/streams/
// upstream-decode.ts, the client encoder in translatedRenderer, sseFraming: one encode per chunk),
// i.e. the codecs' share of a translated stream without any stream hop. Inputs are the fake
// upstream's pre-serialized streams. Prints one JSON line.
import { codecFor } from '../../src/protocols/registry';
import { decodeSse } from '../../src/streams/sse-decode';
import { encodeSse } from '../../src/streams/sse-encode';
import { sseFraming } from '../../src/streams/stream-framing';
import { translatedRenderer } from '../../src/streams/stream-render';
import { UpstreamDecode } from '../../src/streams/upstream-decode';
import type { WireFormat } from '../../src/ir/format';
// @ts-expect-error plain JS module shared with the runner
import { buildPayloads } from '../lib/fake-upstream.mjs';

const FORMATS: WireFormat[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const chunks = Number(process.env.BENCH_CHUNKS ?? 32);
const chunkSize = Number(process.env.BENCH_CHUNK_SIZE ?? 16);
const budgetMs = Number(process.env.BENCH_MICRO_MS ?? 150);
const payloads = buildPayloads({ chunks, chunkSize }) as Record<WireFormat, { stream: string[]; streamWithUsage?: string[] }>;
const encoder = new TextEncoder();

const clientRequestBody = (format: WireFormat): { body: Record<string, unknown>; route: Record<string, unknown> } => {
  switch (format) {
    case 'openai-chat':
      return { body: { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true }, route: {} };
    case 'openai-responses':
      return { body: { model: 'm', input: 'hi', stream: true }, route: {} };
    case 'anthropic':
      return { body: { model: 'm', max_tokens: 256, messages: [{ role: 'user', content: 'hi' }], stream: true }, route: {} };
    case 'gemini':
      return { body: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }, route: { model: 'm', stream: true } };
  }
};

const source = (frames: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const frame of frames) controller.enqueue(frame);
      controller.close();
    },
  });

const drain = async (stream: ReadableStream<unknown>): Promise<number> => {
  const reader = stream.getReader();
  let n = 0;
  for (;;) {
    const { done } = await reader.read();
    if (done) return n;
    n++;
  }
};

type Pipeline = (frames: Uint8Array[]) => Promise<number>;

const translation = (upstream: WireFormat, client: WireFormat): Pipeline => {
  const { body, route } = clientRequestBody(client);
  const request = codecFor(client).decodeRequest(body, route);
  return (frames) =>
    drain(
      source(frames)
        .pipeThrough(decodeSse())
        .pipeThrough(new TransformStream(codecFor(upstream).decodeStreamStage()))
        .pipeThrough(new TransformStream(codecFor(client).encodeStreamStage({ requestId: 'req_bench', request, created: 1700000000 })))
        .pipeThrough(encodeSse()),
    );
};

/** The relay's translation work per upstream chunk, as plain calls: what the codecs cost without stream hops. */
const relaySteps = (upstream: WireFormat, client: WireFormat): Pipeline => {
  const { body, route } = clientRequestBody(client);
  const request = codecFor(client).decodeRequest(body, route);
  return (frames) => {
    const decode = new UpstreamDecode(codecFor(upstream).decodeStreamStage(), 'bench', undefined, () => {});
    const renderer = translatedRenderer(codecFor(client).encodeStreamStage({ requestId: 'req_bench', request, created: 1700000000 }), sseFraming());
    let written = 0;
    for (const bytes of frames) {
      const sse = decode.sseOf(bytes);
      const ir = decode.decodeChunk(sse, false);
      written += renderer.chunk({ bytes, sse, ir, failedAt: decode.failedAt }).length;
    }
    written += renderer.end(decode.end(false)).length;
    return Promise.resolve(written);
  };
};

const passthroughTap = (format: WireFormat): Pipeline => (frames) =>
  drain(source(frames).pipeThrough(decodeSse()).pipeThrough(new TransformStream(codecFor(format).decodeStreamStage())));

const chatFilter = (): Pipeline => {
  const { body } = clientRequestBody('openai-chat');
  return (frames) => {
    const filter = codecFor('openai-chat').passthroughStreamFilter?.(body);
    let stream: ReadableStream<unknown> = source(frames).pipeThrough(decodeSse());
    if (filter) stream = (stream as ReadableStream<never>).pipeThrough(new TransformStream(filter)).pipeThrough(encodeSse());
    return drain(stream);
  };
};

/** An identity TransformStream chain of `hops`: the cost of stream plumbing alone. */
const plumbing = (hops: number): Pipeline => (frames) => {
  let stream: ReadableStream<Uint8Array> = source(frames);
  for (let i = 0; i < hops; i++) stream = stream.pipeThrough(new TransformStream<Uint8Array, Uint8Array>());
  return drain(stream);
};

const measure = async (name: string, frames: Uint8Array[], run: Pipeline) => {
  for (let i = 0; i < 30; i++) await run(frames); // warm the JIT
  let iterations = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < budgetMs && iterations < 100_000) {
    await run(frames);
    iterations++;
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const events = iterations * frames.length;
  return { name, events: frames.length, iterations, cpuUsPerEvent: (cpu.user + cpu.system) / events, wallUsPerEvent: (wall * 1000) / events, wallUsPerStream: (wall * 1000) / iterations };
};

const results = [];
for (const upstream of FORMATS) {
  const frames = (upstream === 'openai-chat' ? payloads[upstream].streamWithUsage! : payloads[upstream].stream).map((frame) => encoder.encode(frame));
  for (const client of FORMATS) {
    results.push(
      await measure(
        upstream === client ? `${client} passthrough (usage tap)` : `${client} client ← ${upstream} upstream`,
        frames,
        upstream === client ? passthroughTap(upstream) : translation(upstream, client),
      ),
    );
  }
}
for (const upstream of FORMATS) {
  const frames = (upstream === 'openai-chat' ? payloads[upstream].streamWithUsage! : payloads[upstream].stream).map((frame) => encoder.encode(frame));
  for (const client of FORMATS) {
    if (client !== upstream) results.push(await measure(`${client} client ← ${upstream} upstream, relay steps (plain calls)`, frames, relaySteps(upstream, client)));
  }
}
const chatFrames = payloads['openai-chat'].streamWithUsage!.map((frame) => encoder.encode(frame));
results.push(await measure('openai-chat passthrough filter (include_usage chunk removed)', chatFrames, chatFilter()));
results.push(await measure('plumbing: 1 identity TransformStream', chatFrames, plumbing(1)));
results.push(await measure('plumbing: 6 identity TransformStreams', chatFrames, plumbing(6)));
console.log(JSON.stringify({ node: process.version, chunks, chunkSize, results }));
