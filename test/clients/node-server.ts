import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type WebHandler = ((request: Request) => Promise<Response> | Response) & { requests?: unknown[] };

const toRequest = async (incoming: IncomingMessage, origin: string): Promise<Request> => {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(', '));
  }
  const method = incoming.method ?? 'GET';
  return new Request(new URL(incoming.url ?? '/', origin), {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks),
  });
};

/**
 * Serves a web-standard handler (the fake upstreams) on 127.0.0.1, streaming response bodies chunk by
 * chunk. `GET /__requests` answers what the fake has recorded, so tests in other processes can
 * check what the relay sent upstream.
 */
export const serveOnLoopback = async (handler: WebHandler): Promise<{ url: string; server: Server; close: () => Promise<void> }> => {
  let origin = '';
  const server = createServer((incoming, outgoing) => {
    void (async () => {
      try {
        if (incoming.method === 'GET' && incoming.url === '/__requests') {
          outgoing.writeHead(200, { 'content-type': 'application/json' });
          return outgoing.end(JSON.stringify(handler.requests ?? []));
        }
        const response = await handler(await toRequest(incoming, origin));
        outgoing.writeHead(response.status, Object.fromEntries(response.headers));
        if (response.body === null) return outgoing.end();
        for await (const chunk of response.body) outgoing.write(chunk);
        outgoing.end();
      } catch (error) {
        outgoing.writeHead(500, { 'content-type': 'text/plain' });
        outgoing.end(String(error));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: origin, server, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};
