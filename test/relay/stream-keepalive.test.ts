import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { WireFormat } from '../../src/ir/format';
import { installFakeUpstreams } from '../setup/fake-network';
import { createKey } from '../setup/seed';
import { provide, unique } from './faults/harness';
import { callClientIn, type OmitFirst } from './faults/pipe-mode';
import { completedStream, inStreamError, overloadedFrame, recordedStream } from './faults/wire';

/** The relay's own keepalives after the first content are the JS pipe's (PASSTHROUGH_PIPE=js); the native pipe passes the upstream's pings only. */
const callClient: OmitFirst<typeof callClientIn> = (...args) => callClientIn('js', ...args);

// Read by configOf() on this file's first request (each test file runs in its own isolate).
(env as { STREAM_KEEPALIVE_MS?: string }).STREAM_KEEPALIVE_MS = '100';

const SILENCE_MS = 450;

/** An event-stream upstream sending `pieces` one chunk each, silent for SILENCE_MS before piece `pauseAt`. */
const pausingUpstream = (pieces: string[], pauseAt: number) => async (request: Request) => {
  await request.text();
  const chunks = pieces.map((piece) => new TextEncoder().encode(piece));
  let index = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (index === pauseAt) await new Promise((resolve) => setTimeout(resolve, SILENCE_MS));
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
};

/** The recorded stream of `format`, silent for SILENCE_MS right after its first content event. */
const silentAfterFirstContent = (format: WireFormat) => {
  const recorded = recordedStream(format);
  return { frames: recorded.frames, handler: pausingUpstream(recorded.frames, recorded.firstContent + 1) };
};

const streamThrough = async (client: WireFormat, upstream: WireFormat): Promise<{ text: string; frames: string[] }> => {
  const { frames, handler } = silentAfterFirstContent(upstream);
  const origin = `http://${unique('keepalive')}.fake`;
  installFakeUpstreams({ [origin]: handler });
  const model = unique('keepalive-m');
  await provide({ id: unique('keepalive-p'), format: upstream, origin, model, timeouts: { firstByteTimeoutMs: 5_000, idleTimeoutMs: 5_000 } });
  const { key } = await createKey();
  const response = await callClient(client, key, model, true);
  expect(response.status).toBe(200);
  return { text: await response.text(), frames };
};

describe('keepalives while the upstream is silent mid-stream', () => {
  it('anthropic client, anthropic upstream: Anthropic ping events between the upstream bytes, which are otherwise unchanged', async () => {
    const { text, frames } = await streamThrough('anthropic', 'anthropic');
    const pings = text.split('event: ping\ndata: {"type": "ping"}\n\n');
    expect(pings.length - 1).toBeGreaterThanOrEqual(2);
    expect(pings.join('')).toBe(frames.join(''));
  });

  it.each([
    ['openai-chat', 'anthropic'],
    ['openai-responses', 'openai-responses'],
    ['openai-chat', 'openai-chat'],
  ] as Array<[WireFormat, WireFormat]>)('%s client, %s upstream: SSE comments, and the stream still completes', async (client, upstream) => {
    const { text } = await streamThrough(client, upstream);
    expect(text.split(': keepalive\n\n').length - 1).toBeGreaterThanOrEqual(2);
    expect(completedStream(client, text)).toBe(true);
  });

  it('gemini client: no keepalive (its SDK reads data: lines only)', async () => {
    const { text, frames } = await streamThrough('gemini', 'gemini');
    expect(text).toBe(frames.join(''));
  });

  it('never puts a keepalive inside an event the upstream split across chunks', async () => {
    const recorded = recordedStream('anthropic');
    const frame = recorded.frames[recorded.firstContent + 1] ?? '';
    const pieces = [...recorded.frames.slice(0, recorded.firstContent + 1), frame.slice(0, 20), frame.slice(20), ...recorded.frames.slice(recorded.firstContent + 2)];
    const origin = 'http://split.fake';
    // Silent in the middle of an event.
    installFakeUpstreams({ [origin]: pausingUpstream(pieces, recorded.firstContent + 2) });
    const model = unique('split');
    await provide({ id: unique('split-p'), format: 'anthropic', origin, model, timeouts: { firstByteTimeoutMs: 5_000, idleTimeoutMs: 5_000 } });
    const { key } = await createKey();
    const text = await (await callClient('anthropic', key, model, true)).text();
    expect(text).toBe(recorded.frames.join(''));
  });

  it('sends nothing extra when the upstream is never silent', async () => {
    const recorded = recordedStream('anthropic');
    const origin = 'http://steady.fake';
    installFakeUpstreams({ [origin]: () => new Response(recorded.frames.join(''), { headers: { 'content-type': 'text/event-stream' } }) });
    const model = unique('steady');
    await provide({ id: unique('steady-p'), format: 'anthropic', origin, model });
    const { key } = await createKey();
    const text = await (await callClient('anthropic', key, model, true)).text();
    expect(text).toBe(recorded.frames.join(''));
  });
});

describe('an upstream silent before its first content (a model reasoning before it answers)', () => {
  const silentBeforeContent = (format: WireFormat) => {
    const recorded = recordedStream(format);
    return { frames: recorded.frames, handler: pausingUpstream(recorded.frames, recorded.firstContent) };
  };

  it('anthropic client: after the hold its headers and message_start go out, pings follow, and the upstream bytes are otherwise unchanged', async () => {
    const { frames, handler } = silentBeforeContent('anthropic');
    const origin = `http://${unique('reasoning')}.fake`;
    installFakeUpstreams({ [origin]: handler });
    const model = unique('reasoning-m');
    await provide({ id: unique('reasoning-p'), format: 'anthropic', origin, model, timeouts: { firstByteTimeoutMs: 5_000, idleTimeoutMs: 5_000 } });
    const { key } = await createKey();
    const started = Date.now();
    const response = await callClient('anthropic', key, model, true);
    // The headers came with the hold (100 ms), not with the content (after SILENCE_MS).
    expect(Date.now() - started).toBeLessThan(SILENCE_MS);
    expect(response.status).toBe(200);
    const text = await response.text();
    const pieces = text.split('event: ping\ndata: {"type": "ping"}\n\n');
    expect(pieces.length - 1).toBeGreaterThanOrEqual(2);
    expect(pieces[0]?.startsWith('event: message_start')).toBe(true);
    expect(pieces.join('')).toBe(frames.join(''));
  });

  it('openai-chat client, anthropic upstream (translated): SSE comments during the silence, and the stream completes', async () => {
    const { handler } = silentBeforeContent('anthropic');
    const origin = `http://${unique('reasoning')}.fake`;
    installFakeUpstreams({ [origin]: handler });
    const model = unique('reasoning-m');
    await provide({ id: unique('reasoning-p'), format: 'anthropic', origin, model, timeouts: { firstByteTimeoutMs: 5_000, idleTimeoutMs: 5_000 } });
    const { key } = await createKey();
    const text = await (await callClient('openai-chat', key, model, true)).text();
    expect(text.split(': keepalive\n\n').length - 1).toBeGreaterThanOrEqual(2);
    expect(completedStream('openai-chat', text)).toBe(true);
  });

  it('an upstream that fails within the hold still falls back; one that fails after it ends the stream in-stream', async () => {
    const recorded = recordedStream('anthropic');
    const prelude = recorded.frames.slice(0, recorded.firstContent);
    const failingAfter = (ms: number) => pausingUpstream([...prelude, overloadedFrame('anthropic')], ms > 0 ? prelude.length : -1);
    const spareOrigin = `http://${unique('spare')}.fake`;
    installFakeUpstreams({
      'http://fails-early.fake': failingAfter(0),
      'http://fails-late.fake': failingAfter(SILENCE_MS),
      [spareOrigin]: () => new Response(recorded.frames.join(''), { headers: { 'content-type': 'text/event-stream' } }),
    });
    const { key } = await createKey();
    for (const [origin, fellBack] of [['http://fails-early.fake', true], ['http://fails-late.fake', false]] as const) {
      const model = unique('hold-m');
      await provide({ id: unique('hold-bad'), format: 'anthropic', origin, model, priority: 0, timeouts: { firstByteTimeoutMs: 5_000, idleTimeoutMs: 5_000 } });
      await provide({ id: unique('hold-spare'), format: 'anthropic', origin: spareOrigin, model, priority: 1 });
      const response = await callClient('anthropic', key, model, true);
      const text = await response.text();
      expect(response.status, text).toBe(200);
      expect(completedStream('anthropic', text), text).toBe(fellBack);
      expect(inStreamError('anthropic', text) !== undefined, text).toBe(!fellBack);
    }
  });
});
