import { beforeEach, describe, expect, it } from 'vitest';
import type { WireFormat } from '../../../src/ir/format';
import { resetProviderHealth } from '../../../src/routing/provider-health';
import { installFakeUpstreams } from '../../setup/fake-network';
import { createKey } from '../../setup/seed';
import { provide, unique, usageRows } from './harness';
import { callClientIn } from './pipe-mode';
import { recordedStream } from './wire';

/**
 * A client that leaves mid-stream: the relay reads on (for at most ~750 ms) for the upstream's final
 * usage and bills it exactly; an upstream that stays silent is cancelled within 1 s of the client
 * leaving, and the request is billed an estimate.
 */

type Upstream = 'anthropic' | 'openai-chat';

/** The final usage each recorded stream reports (anthropic: message_start and message_delta; openai-chat: the usage chunk). */
const FINAL_USAGE: Record<Upstream, { input_tokens: number; output_tokens: number }> = {
  anthropic: { input_tokens: 12, output_tokens: 30 },
  'openai-chat': { input_tokens: 86, output_tokens: 2 },
};

/**
 * An upstream that sends its recorded stream up to the first content, then holds the rest (where the
 * final usage is) until `release()`, or forever. Notes when the relay lets go of it: its body
 * cancelled, or its request aborted (as a real fetch does, the abort then fails the body).
 */
const heldUpstream = (format: Upstream) => {
  const { frames, firstContent } = recordedStream(format);
  const head = frames.slice(0, firstContent + 1);
  const rest = frames.slice(firstContent + 1).join('');
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const probe = { cancelledAt: 0, restSentAt: 0 };
  const encoder = new TextEncoder();
  const handler = async (request: Request): Promise<Response> => {
    await request.text();
    let index = 0;
    let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
    request.signal.addEventListener('abort', () => {
      probe.cancelledAt = Date.now();
      stream?.error(request.signal.reason);
    });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        stream = controller;
      },
      async pull(controller) {
        const frame = head[index++];
        if (frame !== undefined) return controller.enqueue(encoder.encode(frame));
        await released;
        if (probe.cancelledAt > 0) return;
        probe.restSentAt = Date.now();
        controller.enqueue(encoder.encode(rest));
        controller.close();
      },
      cancel() {
        probe.cancelledAt = Date.now();
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  };
  return { handler, probe, release };
};

const waitFor = async (done: () => boolean, ms: number): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
};

type Leave = 'signal' | 'cancel';

/** Starts a stream, reads its first chunk, and leaves the way a client does: the runtime aborts the request signal, or the body is cancelled. */
const startAndLeave = async (mode: 'js' | 'native', client: WireFormat, upstream: Upstream, leave: Leave, fake: ReturnType<typeof heldUpstream>) => {
  const origin = `http://held-${unique('o')}.fake`;
  installFakeUpstreams({ [origin]: fake.handler });
  const model = unique('held');
  await provide({ id: unique('held-p'), format: upstream, origin, model, timeouts: { firstByteTimeoutMs: 10_000, idleTimeoutMs: 10_000 } });
  const { key } = await createKey();
  const controller = new AbortController();
  const response = await callClientIn(mode, client, key, model, true, controller.signal);
  expect(response.status).toBe(200);
  const reader = response.body?.getReader();
  const first = await reader?.read();
  expect(first?.done).toBe(false);
  const leftAt = Date.now();
  if (leave === 'signal') controller.abort(new Error('client disconnected'));
  else await reader?.cancel();
  return { leftAt, requestId: response.headers.get('x-request-id') ?? '' };
};

/**
 * Passthrough through JS and through the native pipe, and translation both ways. A native pipe learns
 * of a cancelled body only when it next writes, so its clients leave the way the runtime reports a
 * disconnect: by the request signal.
 */
const CASES: Array<[mode: 'js' | 'native', client: WireFormat, upstream: Upstream, leave: Leave]> = [
  ['js', 'anthropic', 'anthropic', 'signal'],
  ['js', 'openai-chat', 'openai-chat', 'cancel'],
  ['native', 'anthropic', 'anthropic', 'signal'],
  ['native', 'openai-chat', 'openai-chat', 'signal'],
  ['js', 'openai-responses', 'anthropic', 'signal'],
  ['js', 'gemini', 'openai-chat', 'cancel'],
];

beforeEach(() => resetProviderHealth());

describe('a client that leaves mid-stream', () => {
  it.each(CASES)('%s pipe, %s client, %s upstream, leaving by %s: usage sent 300 ms later is recorded exactly', async (mode, client, upstream, leave) => {
    const fake = heldUpstream(upstream);
    const { leftAt, requestId } = await startAndLeave(mode, client, upstream, leave, fake);
    await new Promise((resolve) => setTimeout(resolve, 300));
    fake.release();
    await waitFor(() => fake.probe.restSentAt > 0 || fake.probe.cancelledAt > 0, 2_000);
    expect(fake.probe.restSentAt, 'the upstream was cancelled before its usage came').toBeGreaterThan(0);
    expect(fake.probe.restSentAt - leftAt).toBeLessThan(1_000);

    const row = (await usageRows([requestId])).get(requestId);
    expect(row).toMatchObject({ aborted: 1, usage_estimated: 0, ...FINAL_USAGE[upstream] });
  });

  it.each(CASES)('%s pipe, %s client, %s upstream, leaving by %s: a silent upstream is cancelled within 1 s and billed an estimate', async (mode, client, upstream, leave) => {
    const fake = heldUpstream(upstream);
    const { leftAt, requestId } = await startAndLeave(mode, client, upstream, leave, fake);
    await waitFor(() => fake.probe.cancelledAt > 0, 2_000);
    expect(fake.probe.cancelledAt).toBeGreaterThan(0);
    expect(fake.probe.cancelledAt - leftAt).toBeLessThan(1_000);

    // Billed what was known when it was let go: Anthropic's message_start figures, else an estimate.
    const row = (await usageRows([requestId])).get(requestId);
    if (upstream === 'anthropic') expect(row).toMatchObject({ aborted: 1, usage_estimated: 0, input_tokens: 12, output_tokens: 1 });
    else expect(row).toMatchObject({ aborted: 1, usage_estimated: 1 });
    expect(Number(row?.output_tokens)).toBeGreaterThan(0);
  });
});
