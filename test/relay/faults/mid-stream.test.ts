import { beforeEach, describe, expect, it } from 'vitest';
import type { WireFormat } from '../../../src/ir/format';
import { providerHealth, resetProviderHealth } from '../../../src/routing/provider-health';
import { installFakeUpstreams } from '../../setup/fake-network';
import { createKey } from '../../setup/seed';
import { type StreamEnding, streamFault } from './fault-upstream';
import { callClient, healthyUpstream, provide, unique, usageRows } from './harness';
import { completedStream, FORMATS, inStreamError, otherFormat, overloadedFrame, recordedStream } from './wire';
import { callClientIn } from './pipe-mode';

/** The recorded stream up to and including its first content frame and one more: bytes have gone out. */
const head = (format: WireFormat): string[] => {
  const recorded = recordedStream(format);
  return recorded.frames.slice(0, recorded.firstContent + 2);
};

interface MidStreamFault {
  name: string;
  frames: (format: WireFormat) => string[];
  ending: StreamEnding;
  /** The usage row's status and error kind. */
  status: number;
  errorType: string;
}

const FAULTS: MidStreamFault[] = [
  { name: 'hang mid-stream (idle timeout)', frames: head, ending: 'hang', status: 504, errorType: 'timeout' },
  { name: 'connection reset mid-stream', frames: head, ending: 'reset', status: 502, errorType: 'api_error' },
  // The decoders' own truncation error: 502 (the Responses decoder says 500, see codec-findings.test.ts).
  { name: 'EOF mid-stream (no terminator)', frames: head, ending: 'close', status: 0, errorType: 'api_error' },
  { name: 'upstream in-stream overloaded error mid-stream', frames: (format) => [...head(format), overloadedFrame(format)], ending: 'close', status: 0, errorType: 'overloaded' },
];

/** Client format and upstream format: passthrough, then translation. */
const ROUTES: Array<[WireFormat, WireFormat]> = FORMATS.flatMap((client): Array<[WireFormat, WireFormat]> => [
  [client, client],
  [client, otherFormat(client)],
]);

const expectedRows: Array<{ requestId: string; fault: MidStreamFault; row: Record<string, unknown> }> = [];

beforeEach(() => resetProviderHealth());

describe.each(FAULTS)('$name', (fault) => {
  it.each(ROUTES)('%s client, %s upstream: no retry, an in-stream error in the client format, usage recorded with the error', async (client, upstream) => {
    const bad = streamFault(fault.frames(upstream), fault.ending);
    const spare = healthyUpstream(client);
    installFakeUpstreams({ 'http://bad.fake': bad, 'http://spare.fake': spare.handler });
    const model = unique('mid');
    const badId = unique('mid-bad');
    await provide({ id: badId, format: upstream, origin: 'http://bad.fake', model, priority: 0 });
    await provide({ id: unique('mid-spare'), format: client, origin: 'http://spare.fake', model, priority: 1, apiKey: spare.apiKey });
    const { key } = await createKey();

    // This fake's stalled body ignores the abort a real fetch body errors on, and a native pipe waits on it: hang is the JS pipe's case (native-pipe.test.ts has the native one).
    const response = await (fault.ending === 'hang' ? callClientIn('js', client, key, model, true) : callClient(client, key, model, true));
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(inStreamError(client, text), text).toBeDefined();
    expect(completedStream(client, text), text).toBe(false);
    expect(spare.requests()).toBe(0);
    expect(providerHealth(badId, Date.now()).consecutiveFailures).toBe(1);

    expectedRows.push({
      requestId: response.headers.get('x-request-id') ?? '',
      fault,
      row: { provider_id: badId, client_format: client, upstream_format: upstream, aborted: 0, error_type: fault.errorType },
    });
  });
});

// The usage queue delivers in batches (2 s): one wait covers every request above.
describe('usage for the mid-stream failures above', () => {
  it('has one row per request: the provider, both formats, not aborted, the error kind and status', async () => {
    expect(expectedRows.length).toBe(FAULTS.length * ROUTES.length);
    const rows = await usageRows(expectedRows.map((entry) => entry.requestId));
    for (const entry of expectedRows) {
      const row = rows.get(entry.requestId);
      expect(row, entry.fault.name).toMatchObject(entry.row);
      if (entry.fault.status !== 0) expect(row?.status, entry.fault.name).toBe(entry.fault.status);
      else expect(Number(row?.status), entry.fault.name).toBeGreaterThanOrEqual(500);
    }
  });
});
