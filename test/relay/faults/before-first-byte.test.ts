import { beforeEach, describe, expect, it } from 'vitest';
import type { WireFormat } from '../../../src/ir/format';
import { resetProviderHealth } from '../../../src/routing/provider-health';
import { installFakeUpstreams } from '../../setup/fake-network';
import { createKey } from '../../setup/seed';
import { type FaultUpstream, hangBeforeHeaders, jsonFault, released, streamFault } from './fault-upstream';
import { callClient, healthyUpstream, provide, unique } from './harness';
import { completedStream, FORMATS, invalidRequestBody, otherFormat, overloadedBody, overloadedFrame, recordedStream } from './wire';

/** The frames a format sends before its first content event (the part a 200 can send and still fail over). */
const prelude = (format: WireFormat): string[] => {
  const recorded = recordedStream(format);
  return recorded.frames.slice(0, recorded.firstContent);
};

interface Fault {
  name: string;
  stream: boolean;
  make: (upstreamFormat: WireFormat) => FaultUpstream;
  /** The relay must have let go of the upstream (aborted the request or cancelled its body). */
  released?: boolean;
  /** Transient trouble: the same provider is tried again (once, here) before the fallback. */
  transient?: boolean;
}

/** Every fault here happens before the client got a byte: the next candidate must answer. */
const FAULTS: Fault[] = [
  { name: 'HTTP 500', stream: true, transient: true, make: (format) => jsonFault(500, overloadedBody(format)) },
  { name: 'HTTP 502', stream: true, transient: true, make: () => jsonFault(502, '<html>bad gateway</html>') },
  { name: 'HTTP 503', stream: true, transient: true, make: (format) => jsonFault(503, overloadedBody(format)) },
  { name: 'HTTP 529', stream: true, transient: true, make: (format) => jsonFault(529, overloadedBody(format)) },
  { name: 'HTTP 429 with retry-after', stream: true, make: (format) => jsonFault(429, overloadedBody(format), { 'retry-after': '30' }) },
  { name: 'hang before headers (first-byte timeout)', stream: true, make: () => hangBeforeHeaders(), released: true },
  { name: '200, then hang before any content (idle timeout)', stream: true, make: (format) => streamFault(prelude(format), 'hang'), released: true },
  { name: '200, then connection reset before any content', stream: true, transient: true, make: (format) => streamFault(prelude(format), 'reset') },
  { name: '200, then EOF before any content', stream: true, transient: true, make: (format) => streamFault(prelude(format), 'close') },
  { name: '200, malformed SSE / invalid JSON event first', stream: true, transient: true, make: () => streamFault(['data: {"id": oops\n\n'], 'close') },
  { name: '200, in-stream overloaded error before content', stream: true, transient: true, make: (format) => streamFault([...prelude(format), overloadedFrame(format)], 'close') },
  { name: '200 with a JSON error body (stream request)', stream: true, transient: true, make: (format) => jsonFault(200, overloadedBody(format)) },
  { name: '200 with invalid JSON (non-stream)', stream: false, transient: true, make: () => jsonFault(200, '{"id": "x", "choices": [') },
  { name: '200 with a JSON error body (non-stream)', stream: false, transient: true, make: (format) => jsonFault(200, overloadedBody(format)) },
];

/** Client format, faulty upstream format, fallback format: passthrough fault → translated fallback and the reverse. */
const ROUTES: Array<[WireFormat, WireFormat, WireFormat]> = FORMATS.flatMap((client): Array<[WireFormat, WireFormat, WireFormat]> => [
  [client, client, otherFormat(client)],
  [client, otherFormat(client), client],
]);

beforeEach(() => resetProviderHealth());

describe.each(FAULTS)('$name', (fault) => {
  it.each(ROUTES)('%s client, %s upstream fails, %s upstream answers', async (client, faulty, fallback) => {
    const bad = fault.make(faulty);
    const good = healthyUpstream(fallback);
    installFakeUpstreams({ 'http://bad.fake': bad, 'http://good.fake': good.handler });
    const model = unique('fb');
    await provide({ id: unique('bad'), format: faulty, origin: 'http://bad.fake', model, priority: 0, maxRetries: 1 });
    await provide({ id: unique('good'), format: fallback, origin: 'http://good.fake', model, priority: 1, apiKey: good.apiKey });
    const { key } = await createKey();

    const response = await callClient(client, key, model, fault.stream);
    const text = await response.text();
    expect(response.status, text).toBe(200);
    if (fault.stream) expect(completedStream(client, text), text).toBe(true);
    else expect(JSON.parse(text)).toBeTypeOf('object');
    expect(bad.probe.requests).toBe(fault.transient === true ? 2 : 1);
    expect(good.requests()).toBe(1);
    if (fault.released === true) expect(await released(bad.probe, 1_000)).toBe(true);
  });
});

describe('429 with retry-after reorders candidates and never refuses locally', () => {
  it.each(FORMATS)('%s: the rate-limited provider is tried last until then, and when it is the only one each request asks it again', async (client) => {
    const bad = jsonFault(429, overloadedBody(client), { 'retry-after': '30' });
    const good = healthyUpstream(client);
    installFakeUpstreams({ 'http://bad.fake': bad, 'http://good.fake': good.handler });
    const model = unique('ra');
    const only = unique('ra-only');
    const badId = unique('ra-bad');
    await provide({ id: badId, format: client, origin: 'http://bad.fake', model, priority: 0 });
    await provide({ id: unique('ra-good'), format: client, origin: 'http://good.fake', model, priority: 1, apiKey: good.apiKey });
    const { key } = await createKey();

    expect((await callClient(client, key, model, true)).status).toBe(200);
    expect((await callClient(client, key, model, true)).status).toBe(200);
    expect(bad.probe.requests).toBe(1);
    expect(good.requests()).toBe(2);

    await provide({ id: unique('ra-solo'), format: client, origin: 'http://bad.fake', model: only });
    const first = await callClient(client, key, only, false);
    expect(first.status).toBe(429);
    const second = await callClient(client, key, only, false);
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBe(30);
    // Not refused by the relay: the upstream was asked for each request, and a 429 is never retried in place.
    expect(bad.probe.requests).toBe(3);
  });
});

describe('client errors are never retried', () => {
  it.each(ROUTES)('%s client, %s upstream answers 400: the client gets a 400 in its shape, %s is never called', async (client, faulty, fallback) => {
    const bad = jsonFault(400, invalidRequestBody(faulty));
    const good = healthyUpstream(fallback);
    installFakeUpstreams({ 'http://bad.fake': bad, 'http://good.fake': good.handler });
    const model = unique('no-retry');
    await provide({ id: unique('bad4'), format: faulty, origin: 'http://bad.fake', model, priority: 0 });
    await provide({ id: unique('good4'), format: fallback, origin: 'http://good.fake', model, priority: 1, apiKey: good.apiKey });
    const { key } = await createKey();

    const response = await callClient(client, key, model, true);
    expect(response.status).toBe(400);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.error).toBeTypeOf('object');
    expect(good.requests()).toBe(0);
  });
});
