import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../fakes/anthropic-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addProvider, createKey, jsonPost } from '../setup/seed';

type Json = Record<string, unknown>;
type ResponsesObject = { id: string; output: Array<{ id: string; type: string; content?: Array<{ text?: string }> }> };

const upstream = createAnthropicUpstream();
let providerAdded = false;
const setup = async () => {
  installFakeUpstreams({ 'http://store-anthropic.fake': upstream });
  if (!providerAdded) await addProvider({ id: 'store-anthropic', protocol: 'anthropic', baseUrl: 'http://store-anthropic.fake', apiKey: FAKE_ANTHROPIC_KEY, models: ['store-claude'] });
  providerAdded = true;
  return createKey();
};

/** Waits until the relay's after-response KV write has landed. */
const stored = async (accountId: string, responseId: string): Promise<void> => {
  for (let i = 0; i < 100; i++) {
    if ((await env.TASKS.get(`rsp:${accountId}:response:${responseId}`)) !== null) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`response ${responseId} was never stored`);
};

const lastUpstreamMessages = (): Json[] => (upstream.requests.at(-1)?.body as { messages: Json[] }).messages;

const textOf = (response: ResponsesObject): string => response.output.flatMap((item) => item.content ?? []).map((part) => part.text ?? '').join('');

const firstTurn = async (key: string, extra: Json = {}): Promise<ResponsesObject> => {
  const response = await jsonPost('/v1/responses', key, { model: 'store-claude', input: 'first question', ...extra });
  expect(response.status).toBe(200);
  return (await response.json()) as ResponsesObject;
};

/** Reads a streamed Responses answer and returns its final response object. */
const streamedTurn = async (key: string, body: Json): Promise<ResponsesObject> => {
  const text = await (await jsonPost('/v1/responses', key, { model: 'store-claude', stream: true, ...body })).text();
  const completed = text.split('\n').find((line) => line.startsWith('data: {"type":"response.completed"'));
  return (JSON.parse(completed?.slice(6) ?? '{}') as { response: ResponsesObject }).response;
};

describe('Responses state the relay keeps for translated upstreams', () => {
  it('previous_response_id: the earlier turn goes upstream ahead of the new input', async () => {
    const { key, accountId } = await setup();
    const first = await firstTurn(key);
    await stored(accountId, first.id);

    const second = await jsonPost('/v1/responses', key, { model: 'store-claude', previous_response_id: first.id, input: 'second question' });
    expect(second.status).toBe(200);
    const messages = lastUpstreamMessages();
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(JSON.stringify(messages[0])).toContain('first question');
    expect(JSON.stringify(messages[1])).toContain(textOf(first));
    expect(JSON.stringify(messages[2])).toContain('second question');
  });

  it('chains: a third turn sees both earlier turns', async () => {
    const { key, accountId } = await setup();
    const first = await firstTurn(key);
    await stored(accountId, first.id);
    const second = (await (await jsonPost('/v1/responses', key, { model: 'store-claude', previous_response_id: first.id, input: 'second question' })).json()) as ResponsesObject;
    await stored(accountId, second.id);
    await jsonPost('/v1/responses', key, { model: 'store-claude', previous_response_id: second.id, input: 'third question' });
    expect(lastUpstreamMessages().map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
  });

  it('item_reference (what @ai-sdk/openai sends with store on): the referenced item is put in its place', async () => {
    const { key, accountId } = await setup();
    const first = await streamedTurn(key, { input: 'first question' });
    await stored(accountId, first.id);
    const itemId = first.output[0]?.id ?? '';
    const response = await jsonPost('/v1/responses', key, {
      model: 'store-claude',
      input: [{ role: 'user', content: 'first question' }, { type: 'item_reference', id: itemId }, { role: 'user', content: 'second question' }],
    });
    expect(response.status).toBe(200);
    const messages = lastUpstreamMessages();
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(JSON.stringify(messages[1])).toContain(textOf(first));
  });

  it('keeps nothing when the client says store: false', async () => {
    const { key, accountId } = await setup();
    const first = await firstTurn(key, { store: false });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await env.TASKS.get(`rsp:${accountId}:response:${first.id}`)).toBeNull();
    const second = await jsonPost('/v1/responses', key, { model: 'store-claude', previous_response_id: first.id, input: 'second question' });
    expect(second.status).toBe(400);
    expect(((await second.json()) as { error: { message: string } }).error.message).toContain('previous_response_id');
  });

  it("does not let another account build on an account's responses", async () => {
    const owner = await setup();
    const first = await firstTurn(owner.key);
    await stored(owner.accountId, first.id);
    const other = await createKey();
    expect(other.accountId).not.toBe(owner.accountId);
    const response = await jsonPost('/v1/responses', other.key, { model: 'store-claude', previous_response_id: first.id, input: 'x' });
    expect(response.status).toBe(400);
  });
});
