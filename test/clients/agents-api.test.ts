import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const relayUrl = inject('relayUrl');
// The admin token test/clients/global-setup.ts starts the relay with.
const ADMIN_TOKEN = 'clients-admin-token';
const agentBase = `${relayUrl}/api/v1/agents`;

const createKey = async (body: Record<string, unknown>): Promise<{ key: string; accountId: string }> => {
  const response = await fetch(`${relayUrl}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { key: string; accountId: string };
};

let agentKey = '';
let secondAgentKey = '';
let inferenceKey = '';

beforeAll(async () => {
  const first = await createKey({ name: 'sdk agent', kind: 'agent', plan: 'pro' });
  agentKey = first.key;
  secondAgentKey = (await createKey({ name: 'sdk agent 2', kind: 'agent', plan: 'pro', accountId: first.accountId })).key;
  inferenceKey = (await createKey({ name: 'sdk inference', plan: 'pro' })).key;
});

describe('the agent API through the official SDKs', () => {
  it('openai: lists models, chats, streams and answers Responses at baseURL …/api/v1/agents', async () => {
    const client = new OpenAI({ apiKey: agentKey, baseURL: agentBase, maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.length).toBeGreaterThan(0);
    const chat = await client.chat.completions.create({ model: 'mock-1', messages: [{ role: 'user', content: 'hi' }] });
    expect(chat.choices[0]?.message.content).toBeTruthy();
    const stream = await client.chat.completions.create({ model: 'mock-1', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    const { data, response } = await client.responses.create({ model: 'mock-1', input: 'hi' }).withResponse();
    expect(data.output_text.length).toBeGreaterThan(0);
    expect(response.headers.get('x-codex-primary-window-minutes')).toBe('300');
  });

  it('@anthropic-ai/sdk: messages at baseURL …/api/v1/agents, with the account window in the unified headers', async () => {
    const client = new Anthropic({ apiKey: agentKey, baseURL: agentBase, maxRetries: 0 });
    const first = await client.messages.create({ model: 'mock-1', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(first.data.type).toBe('message');
    const before = Number(first.response.headers.get('anthropic-ratelimit-unified-5h-utilization'));
    const other = new Anthropic({ apiKey: secondAgentKey, baseURL: agentBase, maxRetries: 0 });
    const second = await other.messages.create({ model: 'mock-1', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(Number(second.response.headers.get('anthropic-ratelimit-unified-5h-utilization'))).toBeGreaterThan(before);
  });

  it('refuses each key off its own surface with a 403 the SDKs raise as PermissionDeniedError', async () => {
    const onAgents = new OpenAI({ apiKey: inferenceKey, baseURL: agentBase, maxRetries: 0 });
    const refused = await onAgents.chat.completions.create({ model: 'mock-1', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((refused as InstanceType<typeof OpenAI.PermissionDeniedError>).code).toBe('agent_key_required');
    const onV1 = new OpenAI({ apiKey: agentKey, baseURL: `${relayUrl}/v1`, maxRetries: 0 });
    const refusedV1 = await onV1.responses.create({ model: 'mock-1', input: 'hi' }).catch((error: unknown) => error);
    expect(refusedV1).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((refusedV1 as InstanceType<typeof OpenAI.PermissionDeniedError>).code).toBe('inference_key_required');
    const anthropicOnV1 = new Anthropic({ apiKey: agentKey, baseURL: relayUrl, maxRetries: 0 });
    const refusedMessages = await anthropicOnV1.messages.create({ model: 'mock-1', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(refusedMessages).toBeInstanceOf(Anthropic.PermissionDeniedError);
  });
});
