import { beforeEach, describe, expect, it } from 'vitest';
import type { WireFormat } from '../../../src/ir/format';
import { resetProviderHealth } from '../../../src/routing/provider-health';
import { installFakeUpstreams } from '../../setup/fake-network';
import { createKey } from '../../setup/seed';
import { released, streamFault } from './fault-upstream';
import { healthyUpstream, provide, unique } from './harness';
import { callClientIn, type OmitFirst } from './pipe-mode';
import { completedStream, FORMATS, inStreamError, otherFormat, recordedStream } from './wire';

/** A malformed event after content is held back only by the JS pipe (PASSTHROUGH_PIPE=js); native-pipe.test.ts covers the native one. */
const callClient: OmitFirst<typeof callClientIn> = (...args) => callClientIn('js', ...args);

/** Client format and upstream format: passthrough, then translation. */
const ROUTES: Array<[WireFormat, WireFormat]> = FORMATS.flatMap((client): Array<[WireFormat, WireFormat]> => [
  [client, client],
  [client, otherFormat(client)],
]);

/** A data line whose JSON was cut off: what an upstream sends when its own serializer or a proxy breaks. */
const BROKEN = 'data: {"broken": \n\n';

/** The recorded stream up to and including its first content frame and one more: bytes have gone out. */
const head = (format: WireFormat): string[] => {
  const recorded = recordedStream(format);
  return recorded.frames.slice(0, recorded.firstContent + 2);
};

beforeEach(() => resetProviderHealth());

describe('a malformed event after content, then the upstream closes', () => {
  it.each(ROUTES)('%s client, %s upstream: ends with the client format’s in-stream error, never the broken bytes', async (client, upstream) => {
    const bad = streamFault([...head(upstream), BROKEN], 'close');
    installFakeUpstreams({ 'http://bad.fake': bad });
    const model = unique('malformed-close');
    await provide({ id: unique('malformed-close-p'), format: upstream, origin: 'http://bad.fake', model });
    const { key } = await createKey();

    const response = await callClient(client, key, model, true);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain('{"broken"');
    expect(inStreamError(client, text), text).toBeDefined();
    expect(completedStream(client, text), text).toBe(false);
  });
});

describe('a malformed event after content, then more of the stream', () => {
  it.each(ROUTES)('%s client, %s upstream: the client never gets the broken bytes, and the stream ends the way the upstream format’s decoder reads it', async (client, upstream) => {
    const recorded = recordedStream(upstream);
    const rest = recorded.frames.slice(recorded.firstContent + 2);
    const bad = streamFault([...head(upstream), BROKEN, ...rest], 'close');
    installFakeUpstreams({ 'http://bad.fake': bad });
    const model = unique('malformed-more');
    await provide({ id: unique('malformed-more-p'), format: upstream, origin: 'http://bad.fake', model });
    const { key } = await createKey();

    const response = await callClient(client, key, model, true);
    const text = await response.text();
    expect(text).not.toContain('{"broken"');
    // The Responses decoder skips unparsable events, as Codex CLI does: that stream still completes.
    if (upstream === 'openai-responses') expect(completedStream(client, text), text).toBe(true);
    else {
      expect(inStreamError(client, text), text).toBeDefined();
      expect(completedStream(client, text), text).toBe(false);
    }
  });
});

describe('a malformed event after content while the upstream stays open', () => {
  it.each(ROUTES.filter(([, upstream]) => upstream !== 'openai-responses'))(
    '%s client, %s upstream: the stream ends at once and the upstream is let go, not left to the idle timeout',
    async (client, upstream) => {
      const bad = streamFault([...head(upstream), BROKEN], 'hang');
      installFakeUpstreams({ 'http://bad.fake': bad });
      const model = unique('malformed-hang');
      await provide({ id: unique('malformed-hang-p'), format: upstream, origin: 'http://bad.fake', model, timeouts: { firstByteTimeoutMs: 5_000, idleTimeoutMs: 10_000 } });
      const { key } = await createKey();

      const started = Date.now();
      const response = await callClient(client, key, model, true);
      const text = await response.text();
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(inStreamError(client, text), text).toBeDefined();
      expect(await released(bad.probe, 500)).toBe(true);
    },
  );
});

describe('a malformed event split across chunks', () => {
  // Passthrough sends bytes as they come: a broken event's first bytes are out before its end shows it is
  // broken. Its own bytes then finish it (the client's parser must not glue the error onto it).
  it.each(FORMATS.filter((format) => format !== 'openai-responses'))('%s passthrough, one byte per chunk: the events arrive whole, then the error', async (format) => {
    const frames = head(format);
    installFakeUpstreams({ 'http://drip.fake': streamFault([...frames, BROKEN], 'close', { drip: true }) });
    const model = unique('malformed-drip');
    await provide({ id: unique('malformed-drip-p'), format, origin: 'http://drip.fake', model });
    const { key } = await createKey();

    const text = await (await callClient(format, key, model, true)).text();
    const sent = frames.join('') + BROKEN;
    expect(text.startsWith(sent), text).toBe(true);
    expect(inStreamError(format, text.slice(sent.length)), text).toBeDefined();
  });
});

describe('a malformed event before any content', () => {
  it.each(ROUTES)('%s client, %s upstream: falls back to the next candidate', async (client, upstream) => {
    const recorded = recordedStream(upstream);
    const bad = streamFault([...recorded.frames.slice(0, recorded.firstContent), BROKEN], 'close');
    const spare = healthyUpstream(client);
    installFakeUpstreams({ 'http://bad.fake': bad, 'http://spare.fake': spare.handler });
    const model = unique('malformed-early');
    await provide({ id: unique('malformed-early-bad'), format: upstream, origin: 'http://bad.fake', model, priority: 0 });
    await provide({ id: unique('malformed-early-spare'), format: client, origin: 'http://spare.fake', model, priority: 1, apiKey: spare.apiKey });
    const { key } = await createKey();

    const response = await callClient(client, key, model, true);
    const text = await response.text();
    expect(spare.requests()).toBe(1);
    expect(completedStream(client, text), text).toBe(true);
    expect(text).not.toContain('{"broken"');
  });
});

describe('an upstream that closes without its format’s end', () => {
  it.each(ROUTES)('%s client, %s upstream: ends with the client format’s in-stream error', async (client, upstream) => {
    const bad = streamFault(head(upstream), 'close');
    installFakeUpstreams({ 'http://cut.fake': bad });
    const model = unique('cut');
    await provide({ id: unique('cut-p'), format: upstream, origin: 'http://cut.fake', model });
    const { key } = await createKey();

    const text = await (await callClient(client, key, model, true)).text();
    expect(inStreamError(client, text), text).toBeDefined();
    expect(completedStream(client, text), text).toBe(false);
  });
});

describe('stream headers', () => {
  it.each(ROUTES)('%s client, %s upstream: no-cache and no proxy buffering', async (client, upstream) => {
    const recorded = recordedStream(upstream);
    installFakeUpstreams({ 'http://ok.fake': streamFault(recorded.frames, 'close') });
    const model = unique('headers');
    await provide({ id: unique('headers-p'), format: upstream, origin: 'http://ok.fake', model });
    const { key } = await createKey();

    const response = await callClient(client, key, model, true);
    await response.text();
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
  });
});
