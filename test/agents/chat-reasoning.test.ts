import { describe, expect, it } from 'vitest';
import { FAKE_GEMINI_SIGNATURE } from '../fakes/gemini-upstream';
import { GEMINI_PLACEHOLDER_SIGNATURE } from '../../src/protocols/gemini/encode-contents';
import { jsonPost } from '../setup/seed';
import { asRecord, echoedByUpstream, readSse, responsesReasoningThenCall, useAgentUpstreams } from './harness';

/**
 * A Chat Completions agent (OpenClaw, Hermes Agent in chat mode) in a tool loop on a reasoning model
 * behind another format: Chat has no field for the upstream's reasoning state, so the relay keeps it
 * and puts it back when the agent sends the tool step back (src/conversations/chat-reasoning-store.ts).
 */
const upstreams = useAgentUpstreams('chatreason');

const TOOLS = [
  {
    type: 'function',
    function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  },
];
const USER = { role: 'user', content: 'Weather in Paris?' };

type Call = { id: string; type: 'function'; function: { name: string; arguments: string } };

/** Turn 1, streaming or not; returns the assistant message the agent keeps in its history. */
const firstTurn = async (model: string, stream: boolean): Promise<{ role: 'assistant'; content: string | null; tool_calls: Call[] }> => {
  const response = await jsonPost('/v1/chat/completions', upstreams.key, { model, messages: [USER], tools: TOOLS, reasoning_effort: 'high', stream });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  if (!stream) return asRecord(asRecord((JSON.parse(text) as { choices: unknown[] }).choices[0]).message) as never;
  const calls = new Map<number, Call>();
  for (const frame of readSse(text)) {
    const delta = asRecord(asRecord((frame.data.choices as unknown[] | undefined)?.[0]).delta);
    for (const part of (delta.tool_calls as Array<Record<string, unknown>> | undefined) ?? []) {
      const index = Number(part.index);
      const fn = asRecord(part.function);
      const call = calls.get(index) ?? { id: String(part.id), type: 'function' as const, function: { name: String(fn.name ?? ''), arguments: '' } };
      call.function.arguments += typeof fn.arguments === 'string' ? fn.arguments : '';
      calls.set(index, call);
    }
  }
  return { role: 'assistant', content: null, tool_calls: [...calls.values()] };
};

const secondTurn = async (model: string, assistant: { tool_calls: Call[] }) => {
  const call = assistant.tool_calls[0];
  expect(call?.id).toBeTypeOf('string');
  const response = await jsonPost('/v1/chat/completions', upstreams.key, {
    model,
    tools: TOOLS,
    reasoning_effort: 'high',
    messages: [USER, assistant, { role: 'tool', tool_call_id: call?.id, content: '18C and sunny' }],
  });
  expect(response.status, await response.text()).toBe(200);
};

/** KV writes happen after delivery (waitUntil); the next turn must find them. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe.each([false, true])('Chat agent tool loop on a reasoning upstream (stream: %s)', (stream) => {
  it('anthropic upstream: the signed thinking block comes back before the tool_use, and thinking stays on', async () => {
    const model = upstreams.model('anthropic');
    const assistant = await firstTurn(model, stream);
    await settle();
    await secondTurn(model, assistant);
    const second = upstreams.sent('anthropic')[1];
    expect(asRecord(second?.thinking).type).toBeDefined();
    const echoed = echoedByUpstream('anthropic', second ?? {});
    expect(echoed.state).toMatch(/^ZmFrZS1zaWduYXR1cmU/);
    const lastAssistant = ((second?.messages as Array<Record<string, unknown>>) ?? []).filter((message) => message.role === 'assistant').at(-1);
    expect(asRecord((lastAssistant?.content as unknown[])[0]).type).toBe('thinking');
  });

  it('gemini upstream: the functionCall gets its own thoughtSignature back, not the placeholder', async () => {
    const model = upstreams.model('gemini');
    const assistant = await firstTurn(model, stream);
    await settle();
    await secondTurn(model, assistant);
    const echoed = echoedByUpstream('gemini', upstreams.sent('gemini')[1] ?? {});
    expect(echoed.state).toBe(FAKE_GEMINI_SIGNATURE);
  });
});

describe('Chat agent tool loop on a Responses upstream that reasons', () => {
  it('the encrypted reasoning item goes back with the call', async () => {
    const model = upstreams.model('openai-responses');
    upstreams.responses.enqueue(responsesReasoningThenCall('get_weather', ['{"city":"Paris"}']));
    const assistant = await firstTurn(model, true);
    await settle();
    await secondTurn(model, assistant);
    const echoed = echoedByUpstream('openai-responses', upstreams.sent('openai-responses')[1] ?? {});
    expect(echoed.callId).toBe('call_up1');
    expect(echoed.state).toBe('gAAAAB-upstream-state-1');
  });
});

describe('Chat agent history the relay did not answer (or edited by the agent)', () => {
  it('falls back to what the format can carry: thinking off for Anthropic, the placeholder for Gemini', async () => {
    const assistant = { role: 'assistant' as const, content: null, tool_calls: [{ id: 'call_never_seen', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] };
    await secondTurn(upstreams.model('anthropic'), assistant);
    expect(upstreams.sent('anthropic')[0]?.thinking).toBeUndefined();
    await secondTurn(upstreams.model('gemini'), assistant);
    expect(echoedByUpstream('gemini', upstreams.sent('gemini')[0] ?? {}).state).toBe(GEMINI_PLACEHOLDER_SIGNATURE);
  });
});
