import { describe, expect, it } from 'vitest';
import { addMockProvider, callRelay, createKey } from '../setup/seed';
import { AGENTS, createAgentKey, errorBody } from '../agents-api/helpers';

type Message = { type: string; stream_id?: string; status?: number; rate_limits?: Record<string, unknown>; error?: { code?: string | null } };

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);

/** Opens the socket and returns every message of one response (through its terminal event). */
const oneResponse = async (path: string, key: string, headers: Record<string, string>, body: Record<string, unknown>): Promise<Message[]> => {
  const response = await callRelay(path, { headers: { upgrade: 'websocket', authorization: `Bearer ${key}`, ...headers } });
  expect(response.status).toBe(101);
  const socket = response.webSocket;
  if (socket === null) throw new Error('no webSocket on the 101');
  socket.accept();
  const messages: Message[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no terminal event: ${JSON.stringify(messages.map((m) => m.type))}`)), 10_000);
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(event.data as string) as Message;
      messages.push(message);
      if (TERMINAL.has(message.type)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  socket.send(JSON.stringify({ type: 'response.create', ...body }));
  await done;
  socket.close(1000);
  return messages;
};

const CODEX = { originator: 'codex_cli_rs', 'user-agent': 'codex_cli_rs/0.171.0 (Linux; x86_64)' };

describe('the Responses WebSocket for agents', () => {
  it('serves agent keys under the agent API path, and refuses inference keys there', async () => {
    const { key } = await createAgentKey();
    for (const path of [`${AGENTS}/responses`, '/api/chat-agent/v1/responses']) {
      const messages = await oneResponse(path, key, {}, { model: 'mock-agent', input: 'hi' });
      expect(messages[0]?.type, path).toBe('response.created');
      expect(messages.at(-1)?.type, path).toBe('response.completed');
    }
    await addMockProvider();
    const inference = await createKey();
    const refused = await callRelay(`${AGENTS}/responses`, { headers: { upgrade: 'websocket', authorization: `Bearer ${inference.key}` } });
    expect(refused.status).toBe(403);
    expect(refused.webSocket).toBeNull();
    expect((await errorBody(refused)).error.code).toBe('agent_key_required');
  });

  it("sends Codex its windows as a codex.rate_limits message before each response's events", async () => {
    const { key } = await createAgentKey();
    const messages = await oneResponse(`${AGENTS}/responses`, key, CODEX, { model: 'mock-agent', input: 'hi', stream_id: 'lane-7' });
    expect(messages.map((message) => message.type).slice(0, 2)).toEqual(['codex.rate_limits', 'response.created']);
    const limits = messages[0] as Message & { rate_limits: { allowed: boolean; limit_reached: boolean; primary: Record<string, number>; secondary: Record<string, number> } };
    expect(limits.stream_id).toBe('lane-7');
    expect(limits.rate_limits.allowed).toBe(true);
    expect(limits.rate_limits.limit_reached).toBe(false);
    expect(limits.rate_limits.primary).toMatchObject({ window_minutes: 300, used_percent: expect.any(Number) });
    expect(limits.rate_limits.primary.used_percent).toBeGreaterThan(0);
    expect(limits.rate_limits.secondary).toMatchObject({ window_minutes: 10080 });
    const nowSeconds = Date.now() / 1000;
    expect(limits.rate_limits.primary.reset_at).toBeGreaterThan(nowSeconds);
    expect(limits.rate_limits.primary.reset_after_seconds).toBeLessThanOrEqual(5 * 3600);
  });

  it('tells Codex the window is spent on the response the quota refused', async () => {
    await addMockProvider();
    const { key } = await createKey({ plan: 'free', quotaOverrides: { requestsPer5h: 1 } });
    expect((await oneResponse('/v1/responses', key, CODEX, { model: 'mock-1', input: 'one' })).at(-1)?.type).toBe('response.completed');
    const refused = await oneResponse('/v1/responses', key, CODEX, { model: 'mock-1', input: 'two' });
    expect(refused.map((message) => message.type)).toEqual(['codex.rate_limits', 'error']);
    expect(refused[0]?.rate_limits).toMatchObject({ allowed: false, limit_reached: true, primary: { used_percent: 100 } });
    expect(refused[1]?.status).toBe(429);
  });

  it('sends other clients (the OpenAI SDK) no codex message', async () => {
    const { key } = await createAgentKey();
    const messages = await oneResponse(`${AGENTS}/responses`, key, { 'user-agent': 'OpenAI/JS 7.59.0' }, { model: 'mock-agent', input: 'hi' });
    expect(messages.some((message) => message.type.startsWith('codex.'))).toBe(false);
  });
});
