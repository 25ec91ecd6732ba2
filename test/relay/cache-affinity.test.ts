import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY, type AnthropicUpstream } from '../fakes/anthropic-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addProvider, callRelay, createKey } from '../setup/seed';

/**
 * Cache affinity and provider-bound thinking, through the relay: three equal Anthropic providers
 * behind one model, each signing thinking with its own key and refusing the others' signatures as
 * the real API does.
 */
const NAMES = ['a', 'b', 'c'] as const;
const fakes: Record<string, AnthropicUpstream> = {};
let key = '';

const newFakes = () => {
  for (const name of [...NAMES, 'd']) fakes[name] = createAnthropicUpstream({ signaturePrefix: `sig-${name}-` });
  installFakeUpstreams(Object.fromEntries([...NAMES, 'd'].map((name) => [`http://aff-${name}.fake`, fakes[name] as AnthropicUpstream])));
};

beforeAll(async () => {
  for (const name of NAMES) {
    await addProvider({ id: `aff-${name}`, protocol: 'anthropic', baseUrl: `http://aff-${name}.fake`, apiKey: FAKE_ANTHROPIC_KEY, models: ['aff-claude'], maxRetries: 0 });
  }
  await addProvider({ id: 'aff-d', protocol: 'anthropic', baseUrl: 'http://aff-d.fake', apiKey: FAKE_ANTHROPIC_KEY, models: ['aff-solo'], maxRetries: 0 });
  key = (await createKey()).key;
});

beforeEach(newFakes);

/** Claude Code's `metadata.user_id` (2.1.78 and later): a JSON string naming the session. */
const claudeCodeUserId = (session: string) => JSON.stringify({ device_id: 'd'.repeat(64), account_uuid: '', session_id: session });

const TOOLS = [{ name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } }];

const messagesCall = async (body: Record<string, unknown>) => {
  const response = await callRelay('/v1/messages?beta=true', {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ max_tokens: 1024, ...body }),
  });
  return { status: response.status, text: await response.text() };
};

const turn = (session: string | undefined, messages: unknown[], extra: Record<string, unknown> = {}) =>
  messagesCall({ model: 'aff-claude', messages, ...(session === undefined ? {} : { metadata: { user_id: claudeCodeUserId(session) } }), ...extra });

/** Which fake served each request so far (by count of requests each received). */
const served = () => Object.fromEntries(NAMES.map((name) => [name, fakes[name]?.requests.length ?? 0]).filter(([, count]) => count !== 0));

const servedBy = (): string => {
  const names = Object.keys(served());
  expect(names).toHaveLength(1);
  return names[0] as string;
};

const blocksSent = (fake: AnthropicUpstream | undefined, index = -1): Array<Record<string, unknown>> => {
  const body = fake?.requests.at(index)?.body as { messages: Array<{ content: unknown }> };
  return body.messages.flatMap((message) => (Array.isArray(message.content) ? (message.content as Array<Record<string, unknown>>) : []));
};

describe('cache affinity among equal providers', () => {
  it('puts every request of one Claude Code session on the same provider', async () => {
    for (let request = 0; request < 12; request++) {
      expect((await turn('session-one', [{ role: 'user', content: `question ${request}` }])).status).toBe(200);
    }
    const [name] = Object.keys(served());
    expect(served()).toEqual({ [name as string]: 12 });
  });

  it('spreads different sessions over the providers', async () => {
    for (let session = 0; session < 24; session++) await turn(`spread-${session}`, [{ role: 'user', content: 'hi' }]);
    expect(Object.keys(served()).length).toBeGreaterThanOrEqual(2);
  });

  it('moves a session to the provider that served it after a failure, and keeps it there', async () => {
    await turn('moving', [{ role: 'user', content: 'first' }]);
    const home = servedBy();
    fakes[home]?.enqueue({ kind: 'error', status: 500, type: 'api_error', message: 'Internal server error' });
    expect((await turn('moving', [{ role: 'user', content: 'second' }])).status).toBe(200);
    const fallback = NAMES.find((name) => name !== home && (fakes[name]?.requests.length ?? 0) > 0) as string;
    expect(fallback).toBeDefined();
    for (let request = 0; request < 6; request++) await turn('moving', [{ role: 'user', content: `later ${request}` }]);
    expect(fakes[home]?.requests).toHaveLength(2);
    expect(fakes[fallback]?.requests).toHaveLength(7);
  });
});

describe('thinking signed by another Anthropic provider', () => {
  const thinking = { type: 'enabled', budget_tokens: 512 };

  it('is dropped before it reaches the provider a session moved to (proactive), tool loop included', async () => {
    const first = await turn('signed', [{ role: 'user', content: 'List the files' }], { thinking, tools: TOOLS });
    expect(first.status, first.text).toBe(200);
    const home = servedBy();
    const answer = JSON.parse(first.text) as { content: Array<Record<string, unknown>> };
    expect(answer.content[0]).toMatchObject({ type: 'thinking', signature: expect.stringMatching(new RegExp(`^sig-${home}-`)) });
    const toolUse = answer.content.find((block) => block.type === 'tool_use') as { id: string };

    fakes[home]?.enqueue({ kind: 'error', status: 500, type: 'api_error', message: 'Internal server error' });
    const history = [
      { role: 'user', content: 'List the files' },
      { role: 'assistant', content: answer.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'a.txt' }] },
    ];
    const second = await turn('signed', history, { thinking, tools: TOOLS });
    expect(second.status, second.text).toBe(200);
    const moved = NAMES.find((name) => name !== home && (fakes[name]?.requests.length ?? 0) > 0) as string;
    // One request only: nothing was refused on the way.
    expect(fakes[moved]?.requests).toHaveLength(1);
    expect(blocksSent(fakes[moved]).some((block) => block.type === 'thinking')).toBe(false);
    expect(blocksSent(fakes[moved]).some((block) => block.type === 'tool_use')).toBe(true);
    // The tool loop lost its opening thinking block: that one step goes with thinking off, as the API asks.
    expect(fakes[moved]?.requests[0]?.body).not.toHaveProperty('thinking');
    // The provider that signed them still gets its own signatures back.
    expect(blocksSent(fakes[home], 1).find((block) => block.type === 'thinking')?.signature).toMatch(new RegExp(`^sig-${home}-`));
  });

  it('refused by the upstream is retried once on the same provider without the signed blocks (reactive)', async () => {
    const foreign = { type: 'thinking', thinking: 'Earlier reasoning.', signature: 'sig-a-41' };
    const history = [
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: [foreign, { type: 'text', text: 'Hi there.' }] },
      { role: 'user', content: 'And now?' },
    ];
    const response = await messagesCall({ model: 'aff-solo', messages: history, thinking, stream: true });
    expect(response.status, response.text).toBe(200);
    expect(response.text).toContain('event: message_stop');
    const solo = fakes.d;
    expect(solo?.requests).toHaveLength(2);
    expect(blocksSent(solo, 0)).toContainEqual(foreign);
    expect(blocksSent(solo, 1)).toEqual([{ type: 'text', text: 'Hi there.' }]);
    // Not a tool loop: thinking stays on.
    expect(solo?.requests[1]?.body).toHaveProperty('thinking', thinking);
  });

  it('leaves any other 400 alone: answered once, as the upstream said it', async () => {
    fakes.d?.enqueue({ kind: 'error', status: 400, type: 'invalid_request_error', message: 'max_tokens: 999999 > 64000, which is the maximum allowed' });
    const history = [
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'x', signature: 'sig-d-1' }, { type: 'text', text: 'Hi.' }] },
      { role: 'user', content: 'More' },
    ];
    const response = await messagesCall({ model: 'aff-solo', messages: history, thinking });
    expect(response.status).toBe(400);
    expect(response.text).toContain('max_tokens: 999999');
    expect(fakes.d?.requests).toHaveLength(1);
  });
});
