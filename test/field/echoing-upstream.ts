import type { WireFormat } from '../../src/ir/format';
import type { FakeHandler } from '../setup/fake-network';
import { overloadedBody, overloadedFrame, recordedStream } from '../relay/faults/wire';

/**
 * An upstream that repeats what it was sent in its errors, as real ones do ("Incorrect API key
 * provided: sk-…"): the key from whichever auth header its format uses, and the value of the
 * operator's configured header. Errors are in each format's real shapes (the fault suite's wire
 * module, written from the recorded streams): an HTTP error, or a 200 stream whose error event
 * comes before or after the first content.
 */
export type EchoMode = 'http-400' | 'http-500' | 'stream-error-before-content' | 'stream-error-after-content';

export const ECHOED_HEADER = 'x-tenant-secret';

const keyOf = (request: Request): string =>
  request.headers.get('x-api-key') ?? request.headers.get('x-goog-api-key') ?? request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';

const OVERLOADED_MESSAGES = ['The engine is currently overloaded', 'The model is overloaded.', 'Overloaded'];

/** The format's overloaded error, its message replaced by `message` (JSON-escaped into the frame). */
const withMessage = (text: string, message: string): string => {
  const escaped = JSON.stringify(message).slice(1, -1);
  let out = text;
  for (const original of OVERLOADED_MESSAGES) out = out.split(`"${original}"`).join(`"${escaped}"`);
  return out;
};

const sse = (frames: string[]): Response => {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const frame of frames) controller.enqueue(encoder.encode(frame));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
};

export const echoingUpstream = (format: WireFormat, mode: EchoMode): FakeHandler & { requests: () => number } => {
  let requests = 0;
  const handler = async (request: Request): Promise<Response> => {
    requests += 1;
    await request.text();
    const message = `Incorrect API key provided: ${keyOf(request)} (tenant ${request.headers.get(ECHOED_HEADER) ?? 'none'})`;
    const errorBody = withMessage(JSON.stringify(overloadedBody(format)), message);
    switch (mode) {
      case 'http-400':
      case 'http-500': {
        const status = mode === 'http-400' ? 400 : 500;
        return new Response(errorBody.replace('"code":503', `"code":${status}`), { status, headers: { 'content-type': 'application/json' } });
      }
      case 'stream-error-before-content': {
        const recorded = recordedStream(format);
        return sse([...recorded.frames.slice(0, recorded.firstContent), withMessage(overloadedFrame(format), message)]);
      }
      case 'stream-error-after-content': {
        const recorded = recordedStream(format);
        return sse([...recorded.frames.slice(0, recorded.firstContent + 2), withMessage(overloadedFrame(format), message)]);
      }
    }
  };
  return Object.assign(handler, { requests: () => requests });
};
