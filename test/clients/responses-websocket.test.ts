import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import type { ResponsesServerEvent } from 'openai/resources/responses/responses';
import { describe, expect, inject, it } from 'vitest';
import { UPSTREAMS } from './formats';

const client = new OpenAI({ apiKey: inject('relayKey'), baseURL: `${inject('relayUrl')}/v1`, maxRetries: 0 });

/** The events of one response, through response.completed (or an error), as the SDK's WebSocket client hands them over. */
const nextResponse = (socket: ResponsesWS): Promise<ResponsesServerEvent[]> =>
  new Promise((resolve, reject) => {
    const events: ResponsesServerEvent[] = [];
    const onEvent = (event: ResponsesServerEvent) => {
      events.push(event);
      if (event.type === 'response.completed' || event.type === 'response.failed' || event.type === 'response.incomplete' || event.type === 'error') {
        socket.off('event', onEvent);
        resolve(events);
      }
    };
    socket.on('event', onEvent);
    socket.on('close', (code, reason) => reject(new Error(`socket closed: ${code} ${reason}`)));
  });

const open = (): ResponsesWS => {
  const socket = new ResponsesWS(client);
  // The SDK rejects unhandled error events; the tests read them from the event stream instead.
  socket.on('error', () => undefined);
  return socket;
};

describe.each(UPSTREAMS)('openai SDK ResponsesWS → $format upstream', ({ model }) => {
  it('runs two responses on one socket, the second continuing the first', async () => {
    const socket = open();
    try {
      const firstDone = nextResponse(socket);
      socket.send({ type: 'response.create', model, instructions: 'Be brief.', input: 'My name is Ada. Say hello.', store: false });
      const first = await firstDone;
      expect(first[0]?.type).toBe('response.created');
      expect(first.some((event) => event.type === 'response.output_text.delta')).toBe(true);
      const completed = first.at(-1);
      if (completed?.type !== 'response.completed') throw new Error(`expected response.completed, got ${JSON.stringify(completed)}`);
      expect(completed.response.usage?.output_tokens).toBeGreaterThan(0);

      const secondDone = nextResponse(socket);
      socket.send({ type: 'response.create', model, input: 'What is my name?', store: false, previous_response_id: completed.response.id });
      const second = await secondDone;
      expect(second.at(-1)?.type).toBe('response.completed');
    } finally {
      socket.close();
    }
  });
});

describe('openai SDK ResponsesWS errors', () => {
  it('gets an error event for a model the relay does not serve, and the socket stays usable', async () => {
    const socket = open();
    try {
      const failed = nextResponse(socket);
      socket.send({ type: 'response.create', model: 'no-such-model', input: 'hi' });
      const events = await failed;
      expect(events).toEqual([expect.objectContaining({ type: 'error', status: 404, error: expect.objectContaining({ code: 'model_not_found' }) })]);
      const ok = nextResponse(socket);
      socket.send({ type: 'response.create', model: 'mock-sdk', input: 'hi' });
      expect((await ok).at(-1)?.type).toBe('response.completed');
    } finally {
      socket.close();
    }
  });

  it('is refused at the handshake with a wrong key', async () => {
    const socket = new ResponsesWS(new OpenAI({ apiKey: 'sk-relay-wrong', baseURL: `${inject('relayUrl')}/v1`, maxRetries: 0 }));
    const failure = await new Promise<string>((resolve) => {
      socket.on('error', (error) => resolve(error.message));
      socket.on('close', (code) => resolve(`closed ${code}`));
    });
    expect(failure).toMatch(/401/);
    socket.close();
  });
});
