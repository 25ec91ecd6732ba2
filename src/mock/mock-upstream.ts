import { toRelayError } from '../errors';
import type { WireFormat } from '../ir/format';
import type { EncodedUpstreamRequest, UpstreamTarget } from '../protocols/codec';
import { randomId } from '../protocols/shared/ids';
import { codecFor } from '../protocols/registry';
import { clientErrorResponse } from '../protocols/client-error';
import { encodeSseStage } from '../streams/sse-encode';
import { StageChain } from '../streams/stage-chain';
import type { IrStreamEvent } from '../ir/stream-event';
import { mockReply } from './mock-reply';
import { responseToEvents } from './mock-stream';

/**
 * The built-in `mock` provider, answering in-process in whatever format it is addressed in: it reads
 * the request with that format's own decoder and writes the answer with that format's own encoder,
 * exactly as a native server of the format would send it (status, headers, SSE framing).
 */
export const mockUpstream = async (format: WireFormat, encoded: EncodedUpstreamRequest, target: UpstreamTarget): Promise<Response> => {
  const codec = codecFor(format);
  const requestId = `mock_${randomId(16)}`;
  try {
    const request = codec.decodeRequest(encoded.body, { model: target.model, stream: target.stream });
    const reply = mockReply({ ...request, model: target.model }, requestId);
    const context = { requestId, request: { ...request, model: target.model }, created: Math.floor(Date.now() / 1000) };
    if (!target.stream) {
      return Response.json(codec.encodeResponse(reply, context), { headers: { 'x-request-id': requestId } });
    }
    const events = responseToEvents(reply);
    const source = new ReadableStream<IrStreamEvent>({
      start(controller) {
        for (const event of events) controller.enqueue(event);
        controller.close();
      },
    });
    const body = source.pipeThrough(StageChain.from(codec.encodeStreamStage(context)).then(encodeSseStage()).toTransformStream());
    return new Response(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': requestId } });
  } catch (thrown) {
    const error = clientErrorResponse(format, toRelayError(thrown), requestId);
    return new Response(error.body, { status: error.status, headers: error.headers });
  }
};
