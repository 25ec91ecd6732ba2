import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../fakes/anthropic-upstream';
import { createGeminiUpstream, FAKE_GEMINI_KEY } from '../fakes/gemini-upstream';
import { createOpenAIResponsesUpstream, FAKE_OPENAI_RESPONSES_KEY } from '../fakes/openai-responses-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addMockProvider, addProvider, callRelay, createKey, jsonPost } from '../setup/seed';
import { eventually } from '../usage/harness';
import { serveResponsesSocket } from '../../src/routes/responses-socket-session';

type ServerEvent = { type: string; stream_id?: string; status?: number; error?: { type: string; message: string; code: string | null }; response?: { id: string; status: string; output: unknown[] } };

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);

/** A client side of the socket: messages in arrival order, read one response at a time. */
const connect = async (key: string, path = '/v1/responses', headers: Record<string, string> = {}) => {
  const response = await callRelay(path, { headers: { upgrade: 'websocket', authorization: `Bearer ${key}`, ...headers } });
  expect(response.status).toBe(101);
  const socket = response.webSocket;
  if (socket === null) throw new Error('no webSocket on the 101');
  socket.accept();
  const inbox: ServerEvent[] = [];
  let wake: (() => void) | undefined;
  let closed: { code: number; reason: string } | undefined;
  socket.addEventListener('message', (event) => {
    inbox.push(JSON.parse(event.data as string) as ServerEvent);
    wake?.();
  });
  socket.addEventListener('close', (event) => {
    closed = { code: event.code, reason: event.reason };
    wake?.();
  });
  const next = async (): Promise<ServerEvent> => {
    const deadline = Date.now() + 10_000;
    while (inbox.length === 0) {
      if (closed !== undefined) throw new Error(`socket closed (${closed.code} ${closed.reason})`);
      if (Date.now() > deadline) throw new Error('no message in time');
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return inbox.shift() as ServerEvent;
  };
  /** The events of one response, through its terminal event. */
  const response_ = async (): Promise<ServerEvent[]> => {
    const events: ServerEvent[] = [];
    for (;;) {
      const event = await next();
      events.push(event);
      if (TERMINAL.has(event.type)) return events;
    }
  };
  return {
    socket,
    send: (message: unknown) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    response: response_,
    closed: () => closed,
    inbox,
  };
};

/** The event types of the same request over HTTP SSE. */
const sseEventTypes = async (key: string, body: Record<string, unknown>): Promise<string[]> => {
  const response = await jsonPost('/v1/responses', key, { ...body, stream: true });
  expect(response.status).toBe(200);
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => (JSON.parse(line.slice(6)) as { type: string }).type);
};

const usageRows = async (keyId: string): Promise<number> =>
  (await env.DB.prepare('SELECT COUNT(*) AS n FROM usage_events WHERE key_id = ?1').bind(keyId).first<{ n: number }>())?.n ?? 0;

const storedTurn = async (accountId: string, responseId: string): Promise<void> => {
  await eventually(async () => (await env.TASKS.get(`rsp:${accountId}:response:${responseId}`)) ?? undefined);
};

describe('the Responses API over a WebSocket', () => {
  it('runs two responses in sequence on one socket across an Anthropic and a Gemini upstream, the second continuing the first', async () => {
    const anthropic = createAnthropicUpstream();
    const gemini = createGeminiUpstream();
    installFakeUpstreams({ 'http://ws-anthropic.fake': anthropic, 'http://ws-gemini.fake': gemini });
    await addProvider({ id: 'ws-anthropic', protocol: 'anthropic', baseUrl: 'http://ws-anthropic.fake', apiKey: FAKE_ANTHROPIC_KEY, models: ['ws-claude'] });
    await addProvider({ id: 'ws-gemini', protocol: 'gemini', baseUrl: 'http://ws-gemini.fake', apiKey: FAKE_GEMINI_KEY, models: ['ws-gemini'] });
    const key = await createKey();
    const client = await connect(key.key);

    client.send({ type: 'response.create', model: 'ws-claude', input: 'first question' });
    const first = await client.response();
    expect(first.at(-1)?.type).toBe('response.completed');
    const firstId = first.at(-1)?.response?.id as string;
    expect(firstId).toMatch(/^resp_/);
    // The same events, in the same order, as the SSE stream of the same request.
    expect(first.map((event) => event.type)).toEqual(await sseEventTypes(key.key, { model: 'ws-claude', input: 'first question' }));

    // The relay stores a translated answer once the client has it (as over HTTP), then the next turn may name it.
    await storedTurn(key.accountId, firstId);
    client.send({ type: 'response.create', model: 'ws-gemini', input: 'second question', previous_response_id: firstId });
    const second = await client.response();
    expect(second.at(-1)?.type).toBe('response.completed');
    expect(second.map((event) => event.type)).toEqual(await sseEventTypes(key.key, { model: 'ws-gemini', input: 'second question' }));
    const contents = (gemini.requests[0]?.body as { contents: Array<{ role: string }> }).contents;
    expect(JSON.stringify(contents)).toContain('first question');
    expect(JSON.stringify(contents)).toContain('second question');
    expect(contents.map((content) => content.role)).toEqual(['user', 'model', 'user']);
    client.socket.close(1000, 'done');
  });

  it('answers a bad message with an error event and keeps the socket usable', async () => {
    await addMockProvider();
    const { key } = await createKey();
    const client = await connect(key);
    client.send('{not json');
    expect(await client.response()).toEqual([expect.objectContaining({ type: 'error', status: 400, error: expect.objectContaining({ type: 'invalid_request_error' }) })]);
    client.send({ type: 'response.create', input: 'no model' });
    const missingModel = await client.response();
    expect(missingModel).toHaveLength(1);
    expect(missingModel[0]).toMatchObject({ type: 'error', status: 400, error: { type: 'invalid_request_error' } });
    client.send({ type: 'response.create', model: 'mock-unknown-model-xyz', input: 'hi', background: true });
    expect((await client.response())[0]).toMatchObject({ type: 'error', status: 400, error: { message: expect.stringContaining('background') } });
    client.send({ type: 'session.update' });
    expect((await client.response())[0]).toMatchObject({ type: 'error', status: 400 });
    // Codex's acknowledgement of a finished response needs no answer.
    client.send({ type: 'response.processed', response_id: 'resp_x' });
    client.send({ type: 'response.create', model: 'mock-1', input: 'hi' });
    const ok = await client.response();
    expect(ok[0]?.type).toBe('response.created');
    expect(ok.at(-1)?.type).toBe('response.completed');
    client.socket.close(1000);
  });

  it('refuses a handshake without a valid key with 401 before the upgrade, and a plain GET with 426', async () => {
    const missing = await callRelay('/v1/responses', { headers: { upgrade: 'websocket' } });
    expect(missing.status).toBe(401);
    expect(missing.webSocket).toBeNull();
    expect(await missing.json()).toMatchObject({ error: { type: expect.any(String) } });
    const wrong = await callRelay('/v1/responses', { headers: { upgrade: 'websocket', authorization: 'Bearer sk-relay-nope' } });
    expect(wrong.status).toBe(401);
    const plain = await callRelay('/v1/responses', { headers: { authorization: 'Bearer sk-relay-nope' } });
    expect(plain.status).toBe(426);
  });

  it('serves the /openai and /api.openai.com aliases', async () => {
    await addMockProvider();
    const { key } = await createKey();
    for (const path of ['/openai/v1/responses', '/api.openai.com/v1/responses']) {
      const client = await connect(key, path);
      client.send({ type: 'response.create', model: 'mock-1', input: 'hi' });
      expect((await client.response()).at(-1)?.type).toBe('response.completed');
      client.socket.close(1000);
    }
  });

  it('admits quota once per response.create and records one usage row each', async () => {
    await addMockProvider();
    const key = await createKey({ plan: 'free', quotaOverrides: { requestsPer5h: 2 } });
    const client = await connect(key.key);
    // Sent together: the second waits for the first, the third is refused by quota, not by the socket.
    client.send({ type: 'response.create', model: 'mock-1', input: 'one' });
    client.send({ type: 'response.create', model: 'mock-1', input: 'two' });
    client.send({ type: 'response.create', model: 'mock-1', input: 'three' });
    const one = await client.response();
    const two = await client.response();
    const three = await client.response();
    expect(one.at(-1)?.type).toBe('response.completed');
    expect(two.at(-1)?.type).toBe('response.completed');
    expect(one.at(-1)?.response?.id).not.toBe(two.at(-1)?.response?.id);
    expect(three).toEqual([expect.objectContaining({ type: 'error', status: 429 })]);
    expect(three[0]?.error?.message).toMatch(/quota/);
    await eventually(async () => ((await usageRows(key.id)) >= 2 ? true : undefined));
    // The refused third one never ran: no usage row for it.
    expect(await usageRows(key.id)).toBe(2);
    client.socket.close(1000);
  });

  it('continues a store:false response and a generate:false warm-up on the same socket, as Codex does, over a Responses upstream', async () => {
    const upstream = createOpenAIResponsesUpstream();
    installFakeUpstreams({ 'http://ws-openai.fake': upstream });
    await addProvider({ id: 'ws-openai', protocol: 'openai-responses', baseUrl: 'http://ws-openai.fake/v1', apiKey: FAKE_OPENAI_RESPONSES_KEY, models: ['ws-gpt'] });
    const key = await createKey();
    const client = await connect(key.key, '/v1/responses', { 'openai-beta': 'responses_websockets=2026-02-06' });

    client.send({ type: 'response.create', model: 'ws-gpt', instructions: 'be brief', input: [{ type: 'message', role: 'user', content: 'setup' }], store: false, stream: true, generate: false });
    const warm = await client.response();
    expect(warm.map((event) => event.type)).toEqual(['response.created', 'response.completed']);
    expect(upstream.requests).toHaveLength(0);

    const warmId = warm.at(-1)?.response?.id as string;
    client.send({ type: 'response.create', model: 'ws-gpt', input: [{ type: 'message', role: 'user', content: 'first' }], store: false, previous_response_id: warmId, stream_id: 'lane-1' });
    const first = await client.response();
    expect(first.at(-1)?.type).toBe('response.completed');
    expect(first.every((event) => event.stream_id === 'lane-1')).toBe(true);
    const sent = upstream.requests[0]?.body as Record<string, unknown>;
    expect(sent.previous_response_id).toBeUndefined();
    expect(sent.stream).toBe(true);
    expect(sent.generate).toBeUndefined();
    expect(sent.stream_id).toBeUndefined();
    expect(JSON.stringify(sent.input)).toMatch(/setup.*first/);
    // The handshake-only beta does not travel on to an upstream called over HTTP.
    expect(upstream.requests[0]?.headers['openai-beta']).toBeUndefined();

    client.send({ type: 'response.create', model: 'ws-gpt', input: [{ type: 'message', role: 'user', content: 'second' }], store: false, previous_response_id: first.at(-1)?.response?.id });
    expect((await client.response()).at(-1)?.type).toBe('response.completed');
    const again = upstream.requests[1]?.body as { input: unknown[] };
    expect(JSON.stringify(again.input)).toMatch(/setup.*first.*Hello from the fake Responses upstream.*second/s);
    client.socket.close(1000);
  });

  it('aborts the running upstream request when the client closes the socket', async () => {
    // Flags, not promises: a promise the worker resolves would resume this test inside the worker's request.
    let upstreamStarted = false;
    let upstreamAborted = false;
    installFakeUpstreams({
      'http://ws-slow.fake': async (request) => {
        upstreamStarted = true;
        await new Promise<void>((resolve) =>
          request.signal.addEventListener('abort', () => {
            upstreamAborted = true;
            resolve();
          }),
        );
        return new Response('aborted', { status: 500 });
      },
    });
    await addProvider({ id: 'ws-slow', protocol: 'anthropic', baseUrl: 'http://ws-slow.fake', apiKey: FAKE_ANTHROPIC_KEY, models: ['ws-slow'] });
    const { key } = await createKey();
    const client = await connect(key);
    client.send({ type: 'response.create', model: 'ws-slow', input: 'hang' });
    await eventually(async () => (upstreamStarted ? true : undefined), 5_000);
    client.socket.close(1000, 'bye');
    await eventually(async () => (upstreamAborted ? true : undefined), 5_000);
  });
});

describe('one socket session', () => {
  const pair = () => {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    server.accept();
    client.accept();
    const received: Array<Record<string, unknown>> = [];
    let closed: { code: number; reason: string } | undefined;
    client.addEventListener('message', (event) => received.push(JSON.parse(event.data as string) as Record<string, unknown>));
    client.addEventListener('close', (event) => (closed = { code: event.code, reason: event.reason }));
    return { client, server, received, closed: () => closed };
  };
  const sse = (events: Array<Record<string, unknown>>) =>
    new Response(events.map((event) => `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`).join(''), { headers: { 'content-type': 'text/event-stream' } });

  it('runs response.create messages strictly one after another', async () => {
    const { client, server, received } = pair();
    const log: string[] = [];
    serveResponsesSocket(server, {
      idleTimeoutMs: 60_000,
      relay: async (body) => {
        log.push(`start ${String(body.input)}`);
        await new Promise((resolve) => setTimeout(resolve, 30));
        log.push(`end ${String(body.input)}`);
        return sse([{ type: 'response.completed', response: { id: `resp_${String(body.input)}`, output: [] } }]);
      },
    });
    for (const input of ['a', 'b', 'c']) client.send(JSON.stringify({ type: 'response.create', model: 'm', input }));
    await eventually(async () => (received.length === 3 ? true : undefined), 5_000);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(received.map((event) => (event.response as { id: string }).id)).toEqual(['resp_a', 'resp_b', 'resp_c']);
    client.close(1000);
  });

  it('closes an idle socket with 1000, and not while a response runs', async () => {
    const { client, server, closed } = pair();
    serveResponsesSocket(server, {
      idleTimeoutMs: 100,
      relay: async () => {
        await new Promise((resolve) => setTimeout(resolve, 250));
        return sse([{ type: 'response.completed', response: { id: 'resp_slow', output: [] } }]);
      },
    });
    client.send(JSON.stringify({ type: 'response.create', model: 'm', input: 'slow' }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closed()).toBeUndefined();
    const state = await eventually(async () => closed(), 5_000);
    expect(state).toEqual({ code: 1000, reason: 'idle timeout' });
  });

  it('turns an HTTP error of the relay into an error event with its status and rate-limit headers', async () => {
    const { client, server, received } = pair();
    serveResponsesSocket(server, {
      idleTimeoutMs: 60_000,
      relay: async () =>
        new Response(JSON.stringify({ error: { message: 'slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null } }), {
          status: 429,
          headers: { 'content-type': 'application/json', 'retry-after': '7', 'x-ratelimit-remaining-requests': '0', 'set-cookie': 'no' },
        }),
    });
    client.send(JSON.stringify({ type: 'response.create', model: 'm', input: 'x', stream_id: 'lane' }));
    await eventually(async () => (received.length === 1 ? true : undefined), 5_000);
    expect(received[0]).toEqual({
      type: 'error',
      status: 429,
      error: { type: 'rate_limit_error', code: 'rate_limit_exceeded', message: 'slow down', param: null },
      headers: { 'retry-after': '7', 'x-ratelimit-remaining-requests': '0' },
      stream_id: 'lane',
    });
    client.close(1000);
  });
});
