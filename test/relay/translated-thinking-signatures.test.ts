import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY, type AnthropicUpstream } from '../fakes/anthropic-upstream';
import { resetProviderHealth } from '../../src/routing/provider-health';
import { installFakeUpstreams } from '../setup/fake-network';
import { addProvider, createKey, jsonPost } from '../setup/seed';

/**
 * Thinking an Anthropic provider signed, carried by a Chat or Responses client (the relay's
 * envelopes, its Chat reasoning store) to another Anthropic provider, which refuses it as the real
 * API does (the fakes' `signaturePrefix`). Through translation the relay drops those blocks from the
 * decoded request and encodes it again: proactively when it saw the session move, else once, on
 * the same provider, after the refusal.
 */
const NAMES = ['x', 'y'] as const;
let fakes: Record<string, AnthropicUpstream> = {};
let key = '';

beforeAll(async () => {
  for (const name of NAMES) {
    await addProvider({ id: `tx-${name}`, protocol: 'anthropic', baseUrl: `http://tx-${name}.fake`, apiKey: FAKE_ANTHROPIC_KEY, models: [`tx-claude-${name}`, 'tx-claude'], maxRetries: 0 });
  }
  key = (await createKey()).key;
});

beforeEach(() => {
  resetProviderHealth();
  fakes = Object.fromEntries(NAMES.map((name) => [name, createAnthropicUpstream({ signaturePrefix: `sig-${name}-` })]));
  installFakeUpstreams(Object.fromEntries(NAMES.map((name) => [`http://tx-${name}.fake`, fakes[name] as AnthropicUpstream])));
});

const TOOLS = [{ type: 'function', function: { name: 'Bash', description: 'Run a command', parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } } }];

type Sent = { messages: Array<{ role: string; content: unknown }>; thinking?: unknown };
const sentTo = (name: string, index: number): Sent => fakes[name]?.requests[index]?.body as Sent;
const thinkingBlocks = (body: Sent) =>
  body.messages.flatMap((message) => (Array.isArray(message.content) ? (message.content as Array<{ type: string; signature?: string }>) : [])).filter((block) => block.type === 'thinking');

/** A Chat tool loop's first step on `model`: the answer's tool call, its thinking kept by the relay. */
const chatToolStep = async (model: string, extra: Record<string, unknown> = {}) => {
  const first = await jsonPost('/v1/chat/completions', key, { model, messages: [{ role: 'user', content: 'List the files' }], tools: TOOLS, reasoning_effort: 'medium', ...extra });
  const text = await first.text();
  expect(first.status, text).toBe(200);
  const message = (JSON.parse(text) as { choices: Array<{ message: { tool_calls: Array<{ id: string; type: string; function: { name: string; arguments: string } }> } }> }).choices[0]?.message;
  const call = message?.tool_calls[0];
  expect(call).toBeDefined();
  // The relay keeps the turn's reasoning after delivery (waitUntil); the next step must find it.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return [
    { role: 'user', content: 'List the files' },
    { role: 'assistant', content: null, tool_calls: [call] },
    { role: 'tool', tool_call_id: call?.id, content: 'a.txt' },
  ];
};

describe('thinking signed by another Anthropic provider, through translation', () => {
  it('a Chat tool loop moved to another provider is refused once, then sent without the signed thinking and with thinking off', async () => {
    const history = await chatToolStep('tx-claude-x');
    expect(thinkingBlocks(sentTo('x', 0))).toHaveLength(0);
    const response = await jsonPost('/v1/chat/completions', key, { model: 'tx-claude-y', messages: history, tools: TOOLS, reasoning_effort: 'medium' });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(fakes.y?.requests).toHaveLength(2);
    // The first try carried x's signature back (the relay's reasoning store kept it) and was refused.
    expect(thinkingBlocks(sentTo('y', 0))[0]?.signature).toMatch(/^sig-x-/);
    expect(thinkingBlocks(sentTo('y', 1))).toEqual([]);
    // The tool loop lost its opening thinking block: that step goes with thinking off, as the API asks.
    expect(sentTo('y', 1)).not.toHaveProperty('thinking');
    expect(sentTo('y', 1).messages.some((message) => Array.isArray(message.content) && (message.content as Array<{ type: string }>).some((block) => block.type === 'tool_use'))).toBe(true);
  });

  it('a Responses history carrying an Anthropic envelope is retried once without it, thinking still on outside a tool loop (streaming)', async () => {
    const input = [
      { role: 'user', content: 'Hello' },
      { type: 'reasoning', id: 'rs_tx1', summary: [{ type: 'summary_text', text: 'Earlier reasoning.' }], encrypted_content: 'prx1:ant:sig-x-41' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi there.' }] },
      { role: 'user', content: 'And now?' },
    ];
    const response = await jsonPost('/v1/responses', key, { model: 'tx-claude-y', input, reasoning: { effort: 'medium' }, stream: true, store: false });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(text).toContain('response.completed');
    expect(fakes.y?.requests).toHaveLength(2);
    expect(thinkingBlocks(sentTo('y', 0))[0]?.signature).toBe('sig-x-41');
    expect(thinkingBlocks(sentTo('y', 1))).toEqual([]);
    expect(sentTo('y', 1)).toHaveProperty('thinking');
  });

  it('a session the relay saw move is sent without the signed thinking at once (proactive): one request, nothing refused', async () => {
    const session = { prompt_cache_key: 'tx-session-1' };
    const history = await chatToolStep('tx-claude', session);
    const home = NAMES.find((name) => (fakes[name]?.requests.length ?? 0) > 0) as string;
    const other = NAMES.find((name) => name !== home) as string;
    fakes[home]?.enqueue({ kind: 'error', status: 500, type: 'api_error', message: 'Internal server error' });
    const response = await jsonPost('/v1/chat/completions', key, { model: 'tx-claude', messages: history, tools: TOOLS, reasoning_effort: 'medium', ...session });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(fakes[other]?.requests).toHaveLength(1);
    expect(thinkingBlocks(sentTo(other, 0))).toEqual([]);
    // The provider that signed them got its own signature back on the attempt that failed.
    expect(thinkingBlocks(sentTo(home, 1))[0]?.signature).toMatch(new RegExp(`^sig-${home}-`));
  });

  it('leaves any other 400 alone on translation: answered once, in the client format', async () => {
    const history = await chatToolStep('tx-claude-y');
    fakes.y?.enqueue({ kind: 'error', status: 400, type: 'invalid_request_error', message: 'max_tokens: 999999 > 64000, which is the maximum allowed' });
    const response = await jsonPost('/v1/chat/completions', key, { model: 'tx-claude-y', messages: history, tools: TOOLS, reasoning_effort: 'medium' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('max_tokens: 999999');
    // The tool step, then this request once: its own signature went back, and nothing was retried.
    expect(fakes.y?.requests).toHaveLength(2);
    expect(thinkingBlocks(sentTo('y', 1))[0]?.signature).toMatch(/^sig-y-/);
  });
});
