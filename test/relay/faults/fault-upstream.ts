import type { FakeHandler } from '../../setup/fake-network';

/**
 * Misbehaving upstreams for the fault suite. Each is a plain handler for installFakeUpstreams plus a
 * probe of what the relay did to it: how many requests it got, whether the relay aborted the request
 * (its signal) or cancelled the response body it was reading.
 */
export interface FaultProbe {
  requests: number;
  aborted: boolean;
  cancelled: boolean;
}

export type FaultUpstream = FakeHandler & { probe: FaultProbe };

/** How a stream ends after its frames: closed (a complete or a cut stream, by the frames given), hung open, or reset. */
export type StreamEnding = 'close' | 'hang' | 'reset';

const encoder = new TextEncoder();

/**
 * The probe is plain flags on purpose: a promise settled from inside the relay's request and awaited
 * by the test would resume the test in that request's I/O context, where later I/O (D1) hangs once
 * the request is gone. Tests poll the flags with `released()`.
 */
const withProbe = (answer: (request: Request, probe: FaultProbe) => Promise<Response> | Response): FaultUpstream => {
  const probe: FaultProbe = { requests: 0, aborted: false, cancelled: false };
  const handler = async (request: Request): Promise<Response> => {
    probe.requests += 1;
    request.signal.addEventListener('abort', () => {
      probe.aborted = true;
    });
    await request.text();
    return answer(request, probe);
  };
  return Object.assign(handler, { probe });
};

/** A JSON answer with any status and headers (errors, 200-with-error-body, invalid JSON as raw text). */
export const jsonFault = (status: number, body: unknown, headers: Record<string, string> = {}): FaultUpstream =>
  withProbe(
    () =>
      new Response(typeof body === 'string' ? body : JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json', ...headers },
      }),
  );

/** Never sends headers; settles only when the relay aborts the request. */
export const hangBeforeHeaders = (): FaultUpstream =>
  withProbe(
    (request) =>
      new Promise<Response>((_, reject) => {
        request.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      }),
  );

export interface StreamFaultOptions {
  /** Send each frame one byte per chunk. */
  drip?: boolean;
}

/** 200 + `frames`, then `ending`. */
export const streamFault = (frames: string[], ending: StreamEnding, options: StreamFaultOptions = {}): FaultUpstream =>
  withProbe((_request, probe) => {
    const chunks: Uint8Array[] = [];
    for (const frame of frames) {
      const bytes = encoder.encode(frame);
      if (options.drip === true) for (const byte of bytes) chunks.push(new Uint8Array([byte]));
      else chunks.push(bytes);
    }
    let index = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks[index];
        index += 1;
        if (chunk !== undefined) return controller.enqueue(chunk);
        if (ending === 'reset') return controller.error(new TypeError('connection reset by peer'));
        if (ending === 'hang') return new Promise<void>(() => {});
        controller.close();
      },
      cancel() {
        probe.cancelled = true;
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
  });

/** Resolves true once the relay let go of the upstream (aborted the request or cancelled its body), false after `ms`. */
export const released = async (probe: FaultProbe, ms: number): Promise<boolean> => {
  const deadline = Date.now() + ms;
  while (!probe.aborted && !probe.cancelled && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return probe.aborted || probe.cancelled;
};
