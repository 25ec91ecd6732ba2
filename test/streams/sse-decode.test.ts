import { describe, expect, it } from 'vitest';
import { decodeSse } from '../../src/streams/sse-decode';
import type { SseEvent } from '../../src/streams/sse-event';

const decodeChunks = async (chunks: string[]): Promise<SseEvent[]> => {
  const encoder = new TextEncoder();
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  const events: SseEvent[] = [];
  for await (const event of source.pipeThrough(decodeSse())) events.push(event);
  return events;
};

describe('decodeSse', () => {
  it('reads named events, comments and data split across chunks', async () => {
    const events = await decodeChunks(['event: ping\nda', 'ta: {"a":1}\n\n: keepalive\n\ndata:{"b":2}\n\n']);
    expect(events).toEqual([{ event: 'ping', data: '{"a":1}' }, { data: '{"b":2}' }]);
  });

  it('accepts CRLF and lone CR line endings, including a CRLF split across chunks', async () => {
    const events = await decodeChunks(['data: one\r', '\n\r\ndata: two\r\rdata: three\n\n']);
    expect(events.map((event) => event.data)).toEqual(['one', 'two', 'three']);
  });

  it('reads data lines without a space or a colon, mixed line endings, and keeps the last id', async () => {
    const events = await decodeChunks(['data\n\nevent: e\r\nid: 7\r\ndata:x\r\ndata: y\r', '\n\r\n: c\ndata: z\rfield: ignored\r\r']);
    expect(events).toEqual([{ data: '' }, { event: 'e', id: '7', data: 'x\ny' }, { id: '7', data: 'z' }]);
  });

  it('joins multi-line data and dispatches an event left open at EOF', async () => {
    const events = await decodeChunks(['data: a\ndata: b\n\ndata: tail']);
    expect(events.map((event) => event.data)).toEqual(['a\nb', 'tail']);
  });
});
