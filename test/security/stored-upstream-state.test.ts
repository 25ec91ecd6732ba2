import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { upstreamStateOwnersOf } from '../../src/conversations/upstream-state-owners';
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

/** What the account's UpstreamStateOwners object holds for `id` (undefined: nothing). */
const ownerIn = async (who: CreatedKey, id: string): Promise<string | undefined> => (await upstreamStateOwnersOf(env, who.accountId).owners([id]))[0]?.provider;

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

  it("is recorded for its account and the provider that stored it in the account's object (not KV), so every isolate refuses the other account", async () => {
    const id = await aliceResponse();
    // Recorded once the answer went out (it does not delay the answer); this isolate knew it at once.
    expect(await eventually(() => ownerIn(alice, id))).toBe('owned-openai');
    expect(await ownerIn(bob, id)).toBeUndefined();
    expect(await env.TASKS.get(`rsp:${alice.accountId}:upstream:${id}`)).toBeNull();
  });

  it("recorded in the object by another isolate (not in this one's memory) is owned there and refused to the other account", async () => {
    await upstreamStateOwnersOf(env, alice.accountId).record('owned-openai', ['resp_elsewhere3', 'msg_elsewhere3'], Date.now() + 60_000);
    expect((await ask(alice, { previous_response_id: 'resp_elsewhere3', input: [{ type: 'item_reference', id: 'msg_elsewhere3' }] })).status).toBe(200);
    expect(upstream.requests.at(-1)?.body).toMatchObject({ previous_response_id: 'resp_elsewhere3' });
    await expectUnknownResponse(await ask(bob, { previous_response_id: 'resp_elsewhere3', input: 'x' }), 'resp_elsewhere3');
  });

  it('recorded in KV before the records moved to the object is still owned, with or without a provider (value 1)', async () => {
    await env.TASKS.put(`rsp:${alice.accountId}:upstream:resp_legacy7`, '1');
    await env.TASKS.put(`rsp:${alice.accountId}:upstream:resp_legacy8`, 'p:owned-openai');
    await env.TASKS.put(`rsp:${alice.accountId}:upstream-item:msg_legacy8`, 'p:owned-openai');
    for (const [previous, input] of [['resp_legacy7', 'go on'], ['resp_legacy8', [{ type: 'item_reference', id: 'msg_legacy8' }]]] as const) {
      expect((await ask(alice, { previous_response_id: previous, input })).status).toBe(200);
      expect(upstream.requests.at(-1)?.body).toMatchObject({ previous_response_id: previous });
      await expectUnknownResponse(await ask(bob, { previous_response_id: previous, input: 'x' }), previous);
    }
  });

  it('is not recorded when the upstream does not store it (store: false)', async () => {
    const id = await aliceResponse({ store: false });
    const stored = await aliceResponse();
    // The stored answer after it is recorded, so the first one's record would have landed by now.
    expect(await eventually(() => ownerIn(alice, stored))).toBe('owned-openai');
    expect(await ownerIn(alice, id)).toBeUndefined();
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
      expect(await eventually(() => ownerIn(alice, item))).toBe('owned-openai');
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
