import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createAnthropicUpstream } from '../../test/fakes/anthropic-upstream.ts';
import { createGeminiUpstream } from '../../test/fakes/gemini-upstream.ts';
import { createOpenAIChatUpstream } from '../../test/fakes/openai-chat-upstream.ts';
import { createOpenAIResponsesUpstream } from '../../test/fakes/openai-responses-upstream.ts';

/**
 * One node:http server on 127.0.0.1 that speaks all four wire formats (the test fakes answer, routed
 * by path) and, when flaky, injects a fault into a share of the requests: HTTP 503 / 429 with
 * retry-after / 529 / 500, a hang before headers, a hang or a reset or a cut EOF mid-stream, or a
 * one-byte drip. Faults are drawn from a seeded generator, so a run is repeatable.
 */
export const FAULT_KINDS = ['ok', 'http-503', 'http-429', 'http-529', 'http-500', 'hang-headers', 'hang-mid', 'reset-mid', 'eof-mid', 'drip'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

type WebHandler = (request: Request) => Promise<Response>;

export interface FlakyUpstream {
  url: string;
  injected: Record<FaultKind, number>;
  close(): Promise<void>;
}

/** mulberry32: a tiny seeded PRNG. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** The provider key the soak configures for every upstream. */
export const SOAK_UPSTREAM_KEY = 'sk-soak';

const handlers = (): Array<[RegExp, WebHandler]> => [
  [/\/chat\/completions$/, createOpenAIChatUpstream({ apiKey: SOAK_UPSTREAM_KEY })],
  [/\/responses$/, createOpenAIResponsesUpstream({ apiKey: SOAK_UPSTREAM_KEY })],
  [/\/v1\/messages$/, createAnthropicUpstream({ apiKey: SOAK_UPSTREAM_KEY })],
  [/\/v1beta\/models\//, createGeminiUpstream({ apiKey: SOAK_UPSTREAM_KEY })],
];

const toRequest = async (incoming: IncomingMessage, origin: string): Promise<Request> => {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(Buffer.from(chunk));
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers.set(name, value);
  return new Request(new URL(incoming.url ?? '/', origin), { method: incoming.method ?? 'POST', headers, body: Buffer.concat(chunks) });
};

const pickFault = (random: () => number, faultRate: number): FaultKind => {
  if (random() >= faultRate) return 'ok';
  const faults = FAULT_KINDS.slice(1);
  return faults[Math.floor(random() * faults.length)] ?? 'ok';
};

const writeAll = async (outgoing: ServerResponse, body: ReadableStream<Uint8Array> | null, cut: 'none' | 'hang' | 'reset' | 'eof' | 'drip') => {
  if (body === null) return outgoing.end();
  const bytes = new Uint8Array(await new Response(body).arrayBuffer());
  if (cut === 'drip') {
    for (const byte of bytes) {
      if (outgoing.destroyed) return;
      outgoing.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return outgoing.end();
  }
  if (cut === 'none') return outgoing.end(Buffer.from(bytes));
  // Cut after roughly half the stream: the client has had content by then.
  outgoing.write(Buffer.from(bytes.subarray(0, Math.floor(bytes.length / 2))));
  if (cut === 'reset') outgoing.socket?.destroy();
  else if (cut === 'eof') outgoing.end();
  // 'hang': leave the socket open; the relay's idle timeout (or shutdown) closes it.
};

export const startUpstream = async (options: { flaky: boolean; faultRate: number; seed: number }): Promise<FlakyUpstream> => {
  const routes = handlers();
  const random = seeded(options.seed);
  const injected = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  const sockets = new Set<Socket>();
  let origin = '';

  const serve = async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    const request = await toRequest(incoming, origin);
    const handler = routes.find(([pattern]) => pattern.test(new URL(request.url).pathname))?.[1];
    if (handler === undefined) return void outgoing.writeHead(404).end();
    const fault = options.flaky ? pickFault(random, options.faultRate) : 'ok';
    injected[fault] += 1;
    if (fault.startsWith('http-')) {
      const status = Number(fault.slice('http-'.length));
      const headers = status === 429 ? { 'content-type': 'application/json', 'retry-after': '1' } : { 'content-type': 'application/json' };
      return void outgoing.writeHead(status, headers).end(JSON.stringify({ error: { message: `injected ${status}`, type: 'server_error', code: null, param: null } }));
    }
    if (fault === 'hang-headers') return;
    const response = await handler(request);
    outgoing.writeHead(response.status, Object.fromEntries(response.headers));
    const streaming = (response.headers.get('content-type') ?? '').includes('event-stream');
    const cut = !streaming ? (fault === 'drip' ? 'drip' : 'none') : fault === 'hang-mid' ? 'hang' : fault === 'reset-mid' ? 'reset' : fault === 'eof-mid' ? 'eof' : fault === 'drip' ? 'drip' : 'none';
    await writeAll(outgoing, response.body, cut);
  };

  const server: Server = createServer((incoming, outgoing) => {
    serve(incoming, outgoing).catch(() => outgoing.socket?.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    injected,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};
