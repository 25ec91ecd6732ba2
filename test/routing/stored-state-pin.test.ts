import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertOwnsUpstreamState, candidatesForStoredState, lookUpUpstreamState } from '../../src/conversations/upstream-state';
import { openResponsesSession } from '../../src/conversations/responses-session';
import { bindUpstreamAnswer } from '../../src/conversations/upstream-response-owners';
import { upstreamStateOwnersOf } from '../../src/conversations/upstream-state-owners';
import type { Env } from '../../src/env';
import { RelayError } from '../../src/errors';
import { resetProviderHealth } from '../../src/routing/provider-health';
import { createOpenAIResponsesUpstream, FAKE_OPENAI_RESPONSES_KEY, type FakeOpenAIResponsesUpstream } from '../fakes/openai-responses-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addProvider, createKey, jsonPost, type CreatedKey } from '../setup/seed';

/**
 * Two OpenAI Responses providers (two keys, two organizations) behind one model: a response stored
 * at one is unknown at the other, as the fakes' `keepsResponses` plays it. A continuation goes to
 * the provider that stored what it names, and only there.
 */
const NAMES = ['a', 'b', 'c'] as const;
let fakes: Record<string, FakeOpenAIResponsesUpstream> = {};
let alice: CreatedKey;

const install = () => {
  fakes = Object.fromEntries(NAMES.map((name) => [name, createOpenAIResponsesUpstream({ idTag: `${name}x`, keepsResponses: true })]));
  installFakeUpstreams(Object.fromEntries(NAMES.map((name) => [`http://pin-${name}.fake`, fakes[name] as FakeOpenAIResponsesUpstream])));
};

beforeAll(async () => {
  for (const name of ['a', 'b']) {
    await addProvider({ id: `pin-${name}`, protocol: 'openai-responses', baseUrl: `http://pin-${name}.fake/v1`, apiKey: FAKE_OPENAI_RESPONSES_KEY, models: ['pin-gpt'], maxRetries: 0 });
  }
  await addProvider({ id: 'pin-c', protocol: 'openai-responses', baseUrl: 'http://pin-c.fake/v1', apiKey: FAKE_OPENAI_RESPONSES_KEY, models: ['pin-old'], maxRetries: 0 });
  alice = await createKey();
});

beforeEach(() => {
  resetProviderHealth();
  install();
});

const ask = (body: Record<string, unknown>) => jsonPost('/v1/responses', alice.key, { model: 'pin-gpt', ...body });

/** Which fakes received requests so far. */
const served = () => NAMES.filter((name) => (fakes[name]?.requests.length ?? 0) > 0);

const idOf = async (response: Response): Promise<string> => {
  const text = await response.text();
  expect(response.status, text).toBe(200);
  if (!text.startsWith('event:') && !text.startsWith('data:')) return (JSON.parse(text) as { id: string }).id;
  return /"type":"response\.created".*?"id":"(resp_[^"]+)"/.exec(text)?.[1] as string;
};

describe('a stored response chain stays with the provider that stored it', () => {
  it('continues every turn at that provider, streaming or not, however the draw falls', async () => {
    let id = await idOf(await ask({ input: 'first' }));
    const [home] = served();
    for (let turn = 0; turn < 10; turn++) {
      id = await idOf(await ask({ previous_response_id: id, input: `turn ${turn}`, stream: turn % 2 === 0 }));
      expect(id.startsWith(`resp_${home as string}x`)).toBe(true);
    }
    expect(served()).toEqual([home]);
    expect(fakes[home as string]?.requests).toHaveLength(11);
  });

  it('pins a request that names only item references to the provider that stored the items', async () => {
    const id = await idOf(await ask({ input: 'first', stream: true }));
    const [home] = served();
    const item = `msg_${id.slice('resp_'.length)}`;
    for (let turn = 0; turn < 8; turn++) expect((await ask({ input: [{ type: 'item_reference', id: item }, { role: 'user', content: `turn ${turn}` }] })).status).toBe(200);
    expect(served()).toEqual([home]);
  });

  it('answers the failure of that provider, and never sends the id to a provider that does not know it', async () => {
    const id = await idOf(await ask({ input: 'first' }));
    const [home] = served();
    const other = NAMES.find((name) => name !== home && name !== 'c') as string;
    fakes[home as string]?.enqueue({ type: 'error', status: 503 });
    const response = await ask({ previous_response_id: id, input: 'second' });
    expect(response.status).toBe(503);
    expect(fakes[other]?.requests).toHaveLength(0);
    // The provider is back: the chain goes on there.
    expect((await ask({ previous_response_id: id, input: 'third' })).status).toBe(200);
  });

  it('answers 404 when the provider that stored it serves none of the candidates', async () => {
    const old = await idOf(await jsonPost('/v1/responses', alice.key, { model: 'pin-old', input: 'first' }));
    expect(served()).toEqual(['c']);
    const response = await ask({ previous_response_id: old, input: 'continue on the new model' });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('previous_response_not_found');
    expect(served()).toEqual(['c']);
  });
});

describe('the ownership records are read once per request', () => {
  /** env with the object's calls and KV's reads counted. */
  const countingEnv = () => {
    const calls: string[][] = [];
    const reads: string[] = [];
    const tasks = env.TASKS;
    const namespace = env.UPSTREAM_STATE_OWNERS;
    const counted = {
      ...env,
      TASKS: {
        get: (...args: [string, never]) => {
          reads.push(args[0]);
          return tasks.get(...args);
        },
        put: tasks.put.bind(tasks),
      },
      UPSTREAM_STATE_OWNERS: {
        idFromName: (name: string) => namespace.idFromName(name),
        get: (id: DurableObjectId) => {
          const stub = namespace.get(id);
          return {
            owners: (ids: string[]) => {
              calls.push(ids);
              return stub.owners(ids);
            },
            record: (...args: Parameters<typeof stub.record>) => {
              calls.push(['record', ...args[1]]);
              return stub.record(...args);
            },
          };
        },
      },
    } as unknown as Env;
    return { counted, reads, calls };
  };
  const candidate = (id: string) => ({ provider: { id } });
  const DAY_MS = 24 * 60 * 60 * 1000;
  const account = () => `acct-pin-${crypto.randomUUID()}`;

  it('one call pins the request and proves ownership at the pinned provider; another provider is refused without asking again', async () => {
    const accountId = account();
    await upstreamStateOwnersOf(env, accountId).record('pin-b', ['resp_do1'], Date.now() + DAY_MS);
    const { counted, reads, calls } = countingEnv();
    const body = { previous_response_id: 'resp_do1', input: 'x' };
    const known = await lookUpUpstreamState(counted, accountId, body);
    expect(known.provider).toBe('pin-b');
    expect(candidatesForStoredState(known, [candidate('pin-a'), candidate('pin-b')] as never)).toEqual([candidate('pin-b')]);
    await assertOwnsUpstreamState(counted, known, body, 'pin-b');
    await expect(assertOwnsUpstreamState(counted, known, body, 'pin-a')).rejects.toThrow(RelayError);
    expect(calls).toEqual([['resp_do1']]);
    expect(reads).toEqual([]);
  });

  it('asks the object once for every id a request names; KV only for the ids it does not know, and only once', async () => {
    const accountId = account();
    await upstreamStateOwnersOf(env, accountId).record('pin-a', ['resp_do2', 'msg_do2', 'rs_do2'], Date.now() + DAY_MS);
    const { counted, reads, calls } = countingEnv();
    const input = ['msg_do2', 'rs_do2', 'msg_nowhere'].map((id) => ({ type: 'item_reference', id }));
    const body = { previous_response_id: 'resp_do2', input };
    const known = await lookUpUpstreamState(counted, accountId, body);
    expect(known.provider).toBe('pin-a');
    expect(calls).toEqual([['resp_do2', 'msg_do2', 'rs_do2', 'msg_nowhere']]);
    expect(reads).toEqual([`rsp:${accountId}:upstream-item:msg_nowhere`]);
    // The unknown item is waited for once (another isolate may be recording it) and asked of the object alone.
    await expect(assertOwnsUpstreamState(counted, known, body, 'pin-a')).rejects.toThrow("Item with id 'msg_nowhere' not found.");
    expect(calls).toEqual([['resp_do2', 'msg_do2', 'rs_do2', 'msg_nowhere'], ['msg_nowhere']]);
    expect(reads).toHaveLength(1);
  });

  it('pins by a record KV holds from before the object, when the object does not know the id', async () => {
    const accountId = account();
    await env.TASKS.put(`rsp:${accountId}:upstream:resp_kv1`, 'p:pin-b');
    const { counted, reads, calls } = countingEnv();
    const known = await lookUpUpstreamState(counted, accountId, { previous_response_id: 'resp_kv1', input: 'x' });
    expect(known.provider).toBe('pin-b');
    expect(calls).toEqual([['resp_kv1']]);
    expect(reads).toEqual([`rsp:${accountId}:upstream:resp_kv1`]);
  });

  it('resolves what this isolate recorded (or read) without a call', async () => {
    const accountId = account();
    const { counted, calls } = countingEnv();
    await bindUpstreamAnswer(counted, accountId, 'pin-a', { responseId: 'resp_mem1', itemIds: ['msg_mem1'] });
    expect(calls).toEqual([['record', 'resp_mem1', 'msg_mem1']]);
    const body = { previous_response_id: 'resp_mem1', input: [{ type: 'item_reference', id: 'msg_mem1' }] };
    const known = await lookUpUpstreamState(counted, accountId, body);
    await assertOwnsUpstreamState(counted, known, body, 'pin-a');
    expect(known.provider).toBe('pin-a');
    expect(calls).toHaveLength(1);
    await upstreamStateOwnersOf(env, accountId).record('pin-b', ['resp_do3'], Date.now() + DAY_MS);
    for (let turn = 0; turn < 2; turn++) await lookUpUpstreamState(counted, accountId, { previous_response_id: 'resp_do3', input: 'x' });
    expect(calls).toEqual([['record', 'resp_mem1', 'msg_mem1'], ['resp_do3']]);
  });

  it("spares a continuation of an upstream's response the wait for a turn of the relay's own store (one read of it, not two)", async () => {
    const accountId = account();
    await upstreamStateOwnersOf(env, accountId).record('pin-a', ['resp_kv2'], Date.now() + DAY_MS);
    const { counted, reads, calls } = countingEnv();
    const body = { previous_response_id: 'resp_kv2', input: 'x' };
    const upstreamState = lookUpUpstreamState(counted, accountId, body);
    const session = await openResponsesSession({ env: counted, accountId, requestId: 'req-pin', body, mayTranslate: false, upstreamState });
    expect(session?.changed).toBe(false);
    expect(reads.filter((read) => read === `rsp:${accountId}:response:resp_kv2`)).toHaveLength(1);
    expect(calls).toEqual([['resp_kv2']]);
  });

  it('a request that names no stored state reads nothing', async () => {
    const { counted, reads, calls } = countingEnv();
    const known = await lookUpUpstreamState(counted, 'acct-pin', { input: [{ role: 'user', content: 'x' }] });
    await assertOwnsUpstreamState(counted, known, { input: 'x' }, 'pin-a');
    expect(reads).toEqual([]);
    expect(calls).toEqual([]);
  });
});
