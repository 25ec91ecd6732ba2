import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { storeResponse, resolveStoredResponses } from '../../src/conversations/responses-store';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../fakes/anthropic-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addProvider, createKey, jsonPost } from '../setup/seed';

type ResponsesObject = { id: string };

const upstream = createAnthropicUpstream();

const storedTurn = async (accountId: string, responseId: string): Promise<string> => {
  for (let i = 0; i < 200; i++) {
    const value = await env.TASKS.get(`rsp:${accountId}:response:${responseId}`);
    if (value !== null) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`response ${responseId} was never stored`);
};

it('keeps a 200-turn conversation in bounded turns: each stores only what it added, and turn 200 still sends all 399 earlier messages', async () => {
  installFakeUpstreams({ 'http://chain-anthropic.fake': upstream });
  await addProvider({ id: 'chain-anthropic', protocol: 'anthropic', baseUrl: 'http://chain-anthropic.fake', apiKey: FAKE_ANTHROPIC_KEY, models: ['chain-claude'] });
  const { key, accountId } = await createKey();
  let previous: string | undefined;
  const sizes: number[] = [];
  for (let turn = 1; turn <= 200; turn++) {
    const body = { model: 'chain-claude', input: `question ${turn} ${'x'.repeat(200)}`, ...(previous === undefined ? {} : { previous_response_id: previous }) };
    const response = await jsonPost('/v1/responses', key, body);
    expect(response.status).toBe(200);
    previous = ((await response.json()) as ResponsesObject).id;
    sizes.push((await storedTurn(accountId, previous)).length);
  }
  const messages = (upstream.requests.at(-1)?.body as { messages: Array<{ role: string; content: unknown }> }).messages;
  expect(messages).toHaveLength(399);
  expect(JSON.stringify(messages[0])).toContain('question 1 ');
  expect(JSON.stringify(messages[398])).toContain('question 200 ');
  // A turn holds its own items and its ancestors' ids; every 64 turns one holds the whole history.
  const linked = sizes.filter((size) => size < 2 * (sizes[0] as number) + 64 * 60);
  expect(linked.length).toBeGreaterThanOrEqual(196);
  // Whole copies of the history in every turn would be ~200²/2 turns' worth (~12 MB here); chains keep it near 1 MB.
  expect(sizes.reduce((sum, size) => sum + size, 0)).toBeLessThan(1_500_000);
}, 120_000);

it('compacts a chain whose oldest turn is ageing, so a stored turn never outlives its history', async () => {
  const accountId = `acct_${crypto.randomUUID()}`;
  const day = 24 * 3600 * 1000;
  const t0 = Date.now() - 20 * day;
  const message = (text: string) => ({ type: 'message', role: 'user', content: text });
  const answer = (id: string, text: string) => ({ id, output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] }] });
  await storeResponse(env, accountId, { input: [message('one')], ancestors: [] }, answer('resp_old_1', 'a1'), t0);
  const first = await resolveStoredResponses(env, accountId, { previous_response_id: 'resp_old_1', input: 'two' });
  expect(first?.input).toHaveLength(3);
  // 20 days on, the root has 10 of its 30 days left: the next turn is stored whole, as a new root.
  const resolvedBody = { previous_response_id: 'resp_old_1', input: 'two' };
  const { openResponsesState } = await import('../../src/conversations/responses-store');
  const state = await openResponsesState(env, accountId, 'req_1', resolvedBody);
  state.remember?.(answer('resp_new_2', 'a2'));
  await state.keep();
  const turn = JSON.parse((await env.TASKS.get(`rsp:${accountId}:response:resp_new_2`)) ?? '{}') as { ancestors: string[]; input: unknown[] };
  expect(turn.ancestors).toEqual([]);
  expect(turn.input).toHaveLength(3);
  await env.TASKS.delete(`rsp:${accountId}:response:resp_old_1`);
  expect((await resolveStoredResponses(env, accountId, { previous_response_id: 'resp_new_2', input: 'three' }))?.input).toHaveLength(5);
});

it('holds the turns it remembers under a size budget: large turns give way to newer ones and are read from KV', async () => {
  const accountId = `acct_${crypto.randomUUID()}`;
  const big = 'x'.repeat(1_000_000);
  const answer = (id: string) => ({ id, output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: id }] }] });
  // Ten turns of ~1 MB each: more than the isolate keeps in memory (8 Mi characters of JSON).
  for (let i = 1; i <= 10; i++) await storeResponse(env, accountId, { input: [{ type: 'message', role: 'user', content: `${i} ${big}` }], ancestors: [] }, answer(`resp_big_${i}`));
  // With KV's copies gone, only what the isolate still holds resolves.
  for (let i = 1; i <= 10; i++) await env.TASKS.delete(`rsp:${accountId}:response:resp_big_${i}`);
  const resolves = async (id: string) => (await resolveStoredResponses(env, accountId, { previous_response_id: id, input: 'next' })) !== undefined;
  expect(await resolves('resp_big_10')).toBe(true);
  expect(await resolves('resp_big_1')).toBe(false);
  const held: boolean[] = [];
  for (let i = 1; i <= 10; i++) held.push(await resolves(`resp_big_${i}`));
  // The newest ones, as many as fit the budget.
  expect(held.filter(Boolean).length).toBeGreaterThanOrEqual(6);
  expect(held.filter(Boolean).length).toBeLessThanOrEqual(8);
  expect(held.indexOf(true)).toBe(held.filter((x) => !x).length);
});
