import { beforeEach, describe, expect, it } from 'vitest';
import type { WireFormat } from '../../../src/ir/format';
import { resetProviderHealth } from '../../../src/routing/provider-health';
import { installFakeUpstreams } from '../../setup/fake-network';
import { createKey } from '../../setup/seed';
import { streamFault } from './fault-upstream';
import { provide, unique, usageRows } from './harness';
import { callClientIn } from './pipe-mode';
import { completedStream, FORMATS, inStreamError, recordedStream } from './wire';

/**
 * PASSTHROUGH_PIPE=native (opt-in; js is the default): after the first content event, a same-format stream reaches
 * the client through the runtime's pipe and the relay reads a tee of it. What it still guarantees,
 * and the documented differences from the JS pipe (README, streaming).
 */
const callNative = (format: WireFormat, key: string, model: string, signal?: AbortSignal) => callClientIn('native', format, key, model, true, signal);

/** Passthrough formats whose stream has no event filter (openai-chat adds one only when the relay asked for usage). */
const PASSTHROUGH = FORMATS;

const BROKEN = 'data: {"broken": \n\n';

const head = (format: WireFormat): string[] => {
  const recorded = recordedStream(format);
  return recorded.frames.slice(0, recorded.firstContent + 2);
};

/**
 * An upstream whose body stalls after `frames` until the relay aborts the request, then errors, as a
 * fetch body does when its signal is aborted (fault-upstream's `hang` ignores the abort).
 */
const stallingUpstream = (frames: string[]) => {
  const probe = { aborted: false };
  const encoder = new TextEncoder();
  const handler = async (request: Request): Promise<Response> => {
    await request.text();
    let index = 0;
    let fail: (reason: unknown) => void = () => {};
    request.signal.addEventListener('abort', () => {
      probe.aborted = true;
      fail(request.signal.reason);
    });
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const frame = frames[index++];
        if (frame !== undefined) return controller.enqueue(encoder.encode(frame));
        return new Promise<void>((_, reject) => {
          fail = reject;
        });
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  };
  return { handler, probe };
};

beforeEach(() => resetProviderHealth());

describe('native pipe: a complete stream', () => {
  it.each(PASSTHROUGH)('%s: the upstream bytes unchanged, and the same usage as the JS pipe records', async (format) => {
    const recorded = recordedStream(format);
    installFakeUpstreams({ 'http://whole.fake': streamFault(recorded.frames, 'close') });
    const model = unique('native-whole');
    await provide({ id: unique('native-whole-p'), format, origin: 'http://whole.fake', model });
    const { key } = await createKey();

    const native = await callNative(format, key, model);
    const nativeText = await native.text();
    const js = await callClientIn('js', format, key, model, true);
    const jsText = await js.text();
    expect(nativeText).toBe(recorded.frames.join(''));
    expect(nativeText).toBe(jsText);

    const ids = [native.headers.get('x-request-id') ?? '', js.headers.get('x-request-id') ?? ''];
    const rows = await usageRows(ids);
    const [nativeRow, jsRow] = ids.map((id) => rows.get(id));
    expect(Number(nativeRow?.output_tokens)).toBeGreaterThan(0);
    for (const field of ['input_tokens', 'output_tokens', 'usage_estimated', 'aborted', 'error_type', 'status'])
      expect(nativeRow?.[field], field).toEqual(jsRow?.[field]);
  });
});

describe('native pipe: a stream that breaks after content', () => {
  it.each(PASSTHROUGH)('%s: cut (EOF without its end): the upstream bytes, then the client format’s in-stream error', async (format) => {
    const frames = head(format);
    installFakeUpstreams({ 'http://cut.fake': streamFault(frames, 'close') });
    const model = unique('native-cut');
    await provide({ id: unique('native-cut-p'), format, origin: 'http://cut.fake', model });
    const { key } = await createKey();

    const response = await callNative(format, key, model);
    const text = await response.text();
    expect(text.startsWith(frames.join('')), text).toBe(true);
    expect(inStreamError(format, text.slice(frames.join('').length)), text).toBeDefined();
    expect(completedStream(format, text), text).toBe(false);
    const rows = await usageRows([response.headers.get('x-request-id') ?? '']);
    expect([...rows.values()][0]).toMatchObject({ aborted: 0 });
  });

  it.each(PASSTHROUGH)('%s: reset: the in-stream error', async (format) => {
    installFakeUpstreams({ 'http://reset.fake': streamFault(head(format), 'reset') });
    const model = unique('native-reset');
    await provide({ id: unique('native-reset-p'), format, origin: 'http://reset.fake', model });
    const { key } = await createKey();

    const text = await (await callNative(format, key, model)).text();
    expect(inStreamError(format, text), text).toBeDefined();
    expect(completedStream(format, text), text).toBe(false);
  });

  it.each(PASSTHROUGH)('%s: silent past the idle timeout: the upstream is aborted and the in-stream error follows', async (format) => {
    const fake = stallingUpstream(head(format));
    installFakeUpstreams({ 'http://stall.fake': fake.handler });
    const model = unique('native-stall');
    await provide({ id: unique('native-stall-p'), format, origin: 'http://stall.fake', model, timeouts: { firstByteTimeoutMs: 2_000, idleTimeoutMs: 200 } });
    const { key } = await createKey();

    const started = Date.now();
    const text = await (await callNative(format, key, model)).text();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fake.probe.aborted).toBe(true);
    expect(inStreamError(format, text), text).toBeDefined();
  });

  it.each(PASSTHROUGH.filter((format) => format !== 'openai-responses'))(
    '%s: a malformed event after content reaches the client with the rest of the upstream, then the in-stream error',
    async (format) => {
      const recorded = recordedStream(format);
      const frames = [...head(format), BROKEN, ...recorded.frames.slice(recorded.firstContent + 2)];
      installFakeUpstreams({ 'http://malformed.fake': streamFault(frames, 'close') });
      const model = unique('native-malformed');
      await provide({ id: unique('native-malformed-p'), format, origin: 'http://malformed.fake', model });
      const { key } = await createKey();

      const text = await (await callNative(format, key, model)).text();
      const sent = frames.join('');
      expect(text.startsWith(sent), text).toBe(true);
      expect(inStreamError(format, text.slice(sent.length)), text).toBeDefined();
    },
  );
});

describe('native pipe: a client that leaves', () => {
  it.each(PASSTHROUGH)('%s: cancelling the body cancels the upstream, and usage is recorded as aborted', async (format) => {
    const fake = stallingUpstream(head(format));
    installFakeUpstreams({ 'http://gone.fake': fake.handler });
    const model = unique('native-gone');
    await provide({ id: unique('native-gone-p'), format, origin: 'http://gone.fake', model, timeouts: { firstByteTimeoutMs: 10_000, idleTimeoutMs: 10_000 } });
    const { key } = await createKey();

    const response = await callNative(format, key, model);
    const reader = response.body?.getReader();
    await reader?.read();
    await reader?.cancel();
    const deadline = Date.now() + 1_000;
    while (!fake.probe.aborted && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fake.probe.aborted).toBe(true);
    const rows = await usageRows([response.headers.get('x-request-id') ?? '']);
    expect([...rows.values()][0]).toMatchObject({ aborted: 1 });
  });
});
