import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertOwnsUpstreamState, candidatesForStoredState, lookUpUpstreamState } from '../../src/conversations/upstream-state';
import { openResponsesSession } from '../../src/conversations/responses-session';
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

describe('the ownership record is read once per request', () => {
  const countingEnv = () => {
    const reads: string[] = [];
    const tasks = env.TASKS;
    const counted = {
      ...env,
      TASKS: {
        get: (...args: [string, never]) => {
          reads.push(args[0]);
          return tasks.get(...args);
        },
        put: tasks.put.bind(tasks),
      },
    } as unknown as Env;
    return { counted, reads };
  };
  const candidate = (id: string) => ({ provider: { id } });

  it('one read pins the request and proves ownership at the pinned provider; another provider is refused without reading', async () => {
    await env.TASKS.put('rsp:acct-pin:upstream:resp_kv1', 'p:pin-b');
    const { counted, reads } = countingEnv();
    const body = { previous_response_id: 'resp_kv1', input: 'x' };
    const known = await lookUpUpstreamState(counted, 'acct-pin', body);
    expect(known.provider).toBe('pin-b');
    expect(candidatesForStoredState(known, [candidate('pin-a'), candidate('pin-b')] as never)).toEqual([candidate('pin-b')]);
    await assertOwnsUpstreamState(counted, known, body, 'pin-b');
    await expect(assertOwnsUpstreamState(counted, known, body, 'pin-a')).rejects.toThrow(RelayError);
    expect(reads).toEqual(['rsp:acct-pin:upstream:resp_kv1']);
  });

  it("spares a continuation of an upstream's response the wait for a turn of the relay's own store (one read of it, not two)", async () => {
    await env.TASKS.put('rsp:acct-pin:upstream:resp_kv2', 'p:pin-a');
    const { counted, reads } = countingEnv();
    const body = { previous_response_id: 'resp_kv2', input: 'x' };
    const upstreamState = lookUpUpstreamState(counted, 'acct-pin', body);
    const session = await openResponsesSession({ env: counted, accountId: 'acct-pin', requestId: 'req-pin', body, mayTranslate: false, upstreamState });
    expect(session?.changed).toBe(false);
    expect(reads.filter((read) => read === 'rsp:acct-pin:response:resp_kv2')).toHaveLength(1);
    expect(reads.filter((read) => read === 'rsp:acct-pin:upstream:resp_kv2')).toHaveLength(1);
  });

  it('a request that names no stored state reads nothing', async () => {
    const { counted, reads } = countingEnv();
    const known = await lookUpUpstreamState(counted, 'acct-pin', { input: [{ role: 'user', content: 'x' }] });
    await assertOwnsUpstreamState(counted, known, { input: 'x' }, 'pin-a');
    expect(reads).toEqual([]);
  });
});
