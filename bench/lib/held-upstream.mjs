// A fake upstream whose streams stay open: each answer's opening events, up to and including its first
// text delta, go out at once (the relay commits to the stream and answers its client), the rest only
// when release() is called. bench/stream-memory.mjs reads the relay's heap while they are held.
// Same paths and stream shapes as fake-upstream.mjs (its buildPayloads), in the calling thread.
import { createServer } from 'node:http';
import { buildPayloads } from './fake-upstream.mjs';

/** How many of buildPayloads' frames open a stream, the first text delta included. */
const OPENING = { 'openai-chat': 2, 'openai-responses': 5, anthropic: 4, gemini: 1 };
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

const formatOf = (url) => {
  if (url.startsWith('/v1/chat/completions')) return 'openai-chat';
  if (url.startsWith('/v1/responses')) return 'openai-responses';
  if (url.startsWith('/v1/messages')) return 'anthropic';
  if (url.includes(':streamGenerateContent')) return 'gemini';
  return undefined;
};

export const startHeldUpstream = async () => {
  const payloads = buildPayloads({ chunks: 4, chunkSize: 16 });
  const held = new Set();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const format = formatOf(req.url ?? '/');
      if (format === undefined) return res.writeHead(404).end();
      const frames = payloads[format].streamWithUsage ?? payloads[format].stream;
      res.writeHead(200, SSE_HEADERS);
      for (const frame of frames.slice(0, OPENING[format])) res.write(frame);
      const stream = { res, rest: frames.slice(OPENING[format]) };
      held.add(stream);
      res.on('close', () => held.delete(stream));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** Streams open now. */
    held: () => held.size,
    /** Every held stream gets the rest of its answer and ends. */
    release: () => {
      for (const { res, rest } of held) {
        for (const frame of rest) res.write(frame);
        res.end();
      }
      held.clear();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
};
