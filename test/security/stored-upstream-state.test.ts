import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAIResponsesUpstream, FAKE_OPENAI_RESPONSES_KEY } from '../fakes/openai-responses-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addProvider, createKey, jsonPost, type CreatedKey } from '../setup/seed';
import { eventually } from '../usage/harness';

/**
 * Issue 24, "stored upstream state shared across tenants by id": every account reaches the Responses
 * upstream with the relay's one key, and that upstream gives any stored response back to whoever
 * names its id. Account B must not be able to continue (and so read) account A's response.
 */
const upstream = createOpenAIResponsesUpstream();
let alice: CreatedKey;
let bob: CreatedKey;

beforeAll(async () => {
  installFakeUpstreams({ 'http://owned-openai.fake': upstream });
  await addProvider({ id: 'owned-openai', protocol: 'openai-responses', baseUrl: 'http://owned-openai.fake/v1', apiKey: FAKE_OPENAI_RESPONSES_KEY, models: ['owned-gpt'] });
  alice = await createKey();
  bob = await createKey();
  expect(bob.accountId).not.toBe(alice.accountId);
});

beforeEach(() => installFakeUpstreams({ 'http://owned-openai.fake': upstream }));

const ask = (who: CreatedKey, body: Record<string, unknown>) => jsonPost('/v1/responses', who.key, { model: 'owned-gpt', ...body });

const aliceResponse = async (extra: Record<string, unknown> = {}): Promise<string> => {
  const response = await ask(alice, { input: 'my private question', ...extra });
  expect(response.status).toBe(200);
  if (extra.stream !== true) return ((await response.json()) as { id: string }).id;
  const text = await response.text();
  const created = /"type":"response\.created".*?"id":"(resp_[^"]+)"/.exec(text);
  expect(created?.[1]).toBeDefined();
  return created?.[1] as string;
};

const expectUnknownResponse = async (response: Response, id: string) => {
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({
    error: { message: `Previous response with id '${id}' not found.`, type: 'invalid_request_error', param: 'previous_response_id', code: 'previous_response_not_found' },
  });
};

describe("another account's stored upstream response", () => {
  it('cannot be continued by naming its id: 404 as for an unknown id, and the upstream never sees the request', async () => {
    const id = await aliceResponse();
    const before = upstream.requests.length;
    await expectUnknownResponse(await ask(bob, { previous_response_id: id, input: 'what did they ask?' }), id);
    await expectUnknownResponse(await ask(bob, { previous_response_id: id, input: 'what did they ask?', stream: true }), id);
    expect(upstream.requests).toHaveLength(before);
  });

  it('is still continued by the account that made it, streaming or not', async () => {
    const id = await aliceResponse();
    const next = await ask(alice, { previous_response_id: id, input: 'and then?' });
    expect(next.status).toBe(200);
    expect(upstream.requests.at(-1)?.body).toMatchObject({ previous_response_id: id });
    const streamedId = await aliceResponse({ stream: true });
    expect(streamedId).not.toBe(id);
    expect((await ask(bob, { previous_response_id: streamedId, input: 'x' })).status).toBe(404);
    const continued = await ask(alice, { previous_response_id: streamedId, input: 'go on', stream: true });
    expect(continued.status).toBe(200);
    expect(await continued.text()).toContain('response.completed');
  });

  it('is recorded for its account and the provider that stored it in KV, so every isolate refuses the other account', async () => {
    const id = await aliceResponse();
    // Written once the answer went out (it does not delay the answer); this isolate knew it at once.
    expect(await eventually(async () => (await env.TASKS.get(`rsp:${alice.accountId}:upstream:${id}`)) ?? undefined)).toBe('p:owned-openai');
    expect(await env.TASKS.get(`rsp:${bob.accountId}:upstream:${id}`)).toBeNull();
  });

  it('recorded before records named a provider (value 1) is still owned', async () => {
    await env.TASKS.put(`rsp:${alice.accountId}:upstream:resp_legacy7`, '1');
    expect((await ask(alice, { previous_response_id: 'resp_legacy7', input: 'go on' })).status).toBe(200);
    expect(upstream.requests.at(-1)?.body).toMatchObject({ previous_response_id: 'resp_legacy7' });
    await expectUnknownResponse(await ask(bob, { previous_response_id: 'resp_legacy7', input: 'x' }), 'resp_legacy7');
  });

  it('is not recorded when the upstream does not store it (store: false)', async () => {
    const id = await aliceResponse({ store: false });
    expect(await env.TASKS.get(`rsp:${alice.accountId}:upstream:${id}`)).toBeNull();
  });

  it('made up or guessed ids get the same 404', async () => {
    await expectUnknownResponse(await ask(bob, { previous_response_id: 'resp_fake1', input: 'x' }), 'resp_fake1');
  });

  it('cannot be read through its output items: item references to them get 404, in every form the upstream resolves', async () => {
    const plainId = await aliceResponse();
    const streamedId = await aliceResponse({ stream: true });
    const itemOf = (responseId: string) => `msg_${responseId.slice('resp_'.length)}`;
    const items = [itemOf(plainId), itemOf(streamedId)];
    const before = upstream.requests.length;
    for (const item of items) {
      for (const reference of [{ type: 'item_reference', id: item }, { id: item }, { type: 'reasoning', id: item, summary: [] }]) {
        const response = await ask(bob, { input: [reference, { role: 'user', content: 'repeat the above' }] });
        expect(response.status).toBe(404);
        expect(await response.json()).toEqual({ error: { message: `Item with id '${item}' not found.`, type: 'invalid_request_error', param: 'input', code: null } });
      }
    }
    expect(upstream.requests).toHaveLength(before);
    // Alice's own references still go through, to the upstream that resolves them.
    for (const item of items) {
      expect(await env.TASKS.get(`rsp:${alice.accountId}:upstream-item:${item}`)).toBe('p:owned-openai');
      const own = await ask(alice, { input: [{ type: 'item_reference', id: item }, { role: 'user', content: 'and then?' }] });
      expect(own.status).toBe(200);
      expect(upstream.requests.at(-1)?.body).toMatchObject({ input: [{ type: 'item_reference', id: item }, { role: 'user', content: 'and then?' }] });
    }
  });

  it('a reasoning item sent back whole (its encrypted content with it) is not a reference', async () => {
    const inline = { type: 'reasoning', id: 'rs_mine1', summary: [], encrypted_content: 'opaque' };
    expect((await ask(bob, { input: [inline, { role: 'user', content: 'next' }] })).status).toBe(200);
  });

  it('conversation ids are refused: no account can have created one through the relay', async () => {
    const before = upstream.requests.length;
    const response = await ask(bob, { conversation: { id: 'conv_68f0' }, input: 'x' });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('conversation');
    expect(upstream.requests).toHaveLength(before);
  });
});
