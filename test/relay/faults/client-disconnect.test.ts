import { beforeEach, describe, expect, it } from 'vitest';
import type { WireFormat } from '../../../src/ir/format';
import { resetProviderHealth } from '../../../src/routing/provider-health';
import { installFakeUpstreams } from '../../setup/fake-network';
import { createKey } from '../../setup/seed';
import { provide, unique } from './harness';
import { callClientIn, type OmitFirst } from './pipe-mode';
import { recordedStream } from './wire';

/** These guarantees are the JS pipe's (PASSTHROUGH_PIPE=js); native-pipe.test.ts covers the native one. */
const callClient: OmitFirst<typeof callClientIn> = (...args) => callClientIn('js', ...args);

/**
 * An upstream that sends its stream up to its first text, then only SSE comments every
 * `everyMs`, and notes when the relay cancels its response body (plain fields: see fault-upstream.ts).
 */
const commentingUpstream = (format: WireFormat, everyMs: number) => {
  const recorded = recordedStream(format);
  const frames = recorded.frames.slice(0, recorded.firstContent + 2);
  const probe = { cancelledAt: 0 };
  const encoder = new TextEncoder();
  const handler = async (request: Request): Promise<Response> => {
    await request.text();
    let index = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const frame = frames[index++];
        if (frame !== undefined) return controller.enqueue(encoder.encode(frame));
        await new Promise((resolve) => setTimeout(resolve, everyMs));
        controller.enqueue(encoder.encode(': still thinking\n\n'));
      },
      cancel() {
        probe.cancelledAt = Date.now();
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  };
  return { handler, probe };
};

const waitFor = async (done: () => boolean, ms: number): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
};

/** Passthrough and translation, for clients that have an SSE keepalive and for Gemini, which has none. */
const ROUTES: Array<[WireFormat, WireFormat]> = [
  ['anthropic', 'anthropic'],
  ['openai-responses', 'anthropic'],
  ['anthropic', 'gemini'],
  ['gemini', 'gemini'],
  ['gemini', 'openai-chat'],
];

beforeEach(() => resetProviderHealth());

describe('a client that disconnects while the upstream sends only comments', () => {
  it.each(ROUTES)('%s client, %s upstream: the request signal’s abort cancels the upstream body within 1 s', async (client, upstream) => {
    const fake = commentingUpstream(upstream, 100);
    installFakeUpstreams({ 'http://comments.fake': fake.handler });
    const model = unique('gone');
    await provide({ id: unique('gone-p'), format: upstream, origin: 'http://comments.fake', model, timeouts: { firstByteTimeoutMs: 10_000, idleTimeoutMs: 10_000 } });
    const { key } = await createKey();
    const controller = new AbortController();

    const response = await callClient(client, key, model, true, controller.signal);
    expect(response.status).toBe(200);
    await response.body?.getReader().read();
    // The runtime tells a worker its client left by aborting the request's signal; the body is not cancelled.
    const leftAt = Date.now();
    controller.abort(new Error('client disconnected'));
    await waitFor(() => fake.probe.cancelledAt > 0, 2_000);
    expect(fake.probe.cancelledAt).toBeGreaterThan(0);
    expect(fake.probe.cancelledAt - leftAt).toBeLessThan(1_000);
  });

  it.each(ROUTES)('%s client, %s upstream: cancelling the body cancels the upstream body within 1 s', async (client, upstream) => {
    const fake = commentingUpstream(upstream, 100);
    installFakeUpstreams({ 'http://comments.fake': fake.handler });
    const model = unique('cancel');
    await provide({ id: unique('cancel-p'), format: upstream, origin: 'http://comments.fake', model, timeouts: { firstByteTimeoutMs: 10_000, idleTimeoutMs: 10_000 } });
    const { key } = await createKey();

    const response = await callClient(client, key, model, true);
    const reader = response.body?.getReader();
    await reader?.read();
    const leftAt = Date.now();
    await reader?.cancel();
    await waitFor(() => fake.probe.cancelledAt > 0, 2_000);
    expect(fake.probe.cancelledAt - leftAt).toBeLessThan(1_000);
  });

  const KEEPALIVE = '\n\n: keepalive\n\n';
  // A write is how the runtime finds out a client is gone; comments that render to nothing must not starve it of writes.
  it('openai-responses client, gemini upstream: gets a keepalive within a second though the upstream sends only comments', async () => {
    const fake = commentingUpstream('gemini', 100);
    installFakeUpstreams({ 'http://comments.fake': fake.handler });
    const model = unique('notice');
    await provide({ id: unique('notice-p'), format: 'gemini', origin: 'http://comments.fake', model, timeouts: { firstByteTimeoutMs: 10_000, idleTimeoutMs: 10_000 } });
    const { key } = await createKey();

    const response = await callClient('openai-responses', key, model, true);
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    const started = Date.now();
    let text = '';
    while (!text.includes(KEEPALIVE) && Date.now() - started < 1_500) {
      const result = await reader?.read();
      if (result === undefined || result.done) break;
      text += decoder.decode(result.value, { stream: true });
    }
    await reader?.cancel();
    expect(text).toContain(KEEPALIVE);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
