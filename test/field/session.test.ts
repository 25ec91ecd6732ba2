import { env } from 'cloudflare:workers';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WireFormat } from '../../src/ir/format';
import { accountBalanceOf } from '../../src/usage/account-balance';
import type { FakeHandler } from '../setup/fake-network';
import { admin, callRelay, createKey, type CreatedKey } from '../setup/seed';
import { eventually } from '../usage/harness';
import { FORMATS, inStreamError } from '../relay/faults/wire';
import { ECHOED_HEADER, echoingUpstream } from './echoing-upstream';
import { keyTotals, usageRowsOf } from './session-usage';
import { ask, errorMessageOf, expectAnswered, inBatches, openStream, type Answer } from './session-client';
import {
  ANTHROPIC_BUSY_MESSAGE,
  claudeUpstream,
  dripCancels,
  fleetUpstream,
  geminiUpstream,
  lastBodies,
  RESPONSES_BUSY_MESSAGE,
  responsesUpstream,
  UPSTREAM_KEYS,
  type Counts,
} from './session-upstreams';

/**
 * One relay through a working day, as a deployment lives it: no state is reset between the steps
 * below (D1 rows, Durable Object windows, per-isolate caches, 429 memory, breakers), so each step
 * runs against whatever the ones before it left behind. Steps run in order and depend on each other.
 */
const SECRET_KEY = 'sk-live-session-echo-9f8e7d6c5b4a';
const SECRET_HEADER = 'tenant-session-secret-77';
const FLEET_SIZE = 320;
const fleetModel = (index: number) => `fleet/m-${String(index).padStart(3, '0')}`;

// The network: origin → fake, installed before every step (vitest restores spies between tests).
const network: Record<string, FakeHandler> = {};
beforeEach(() => {
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const handler = network[new URL(request.url).origin];
    if (handler === undefined) throw new TypeError(`session network: no fake upstream for ${request.url}`);
    return handler(request);
  });
});
afterAll(() => vi.restoreAllMocks());

const counts = {
  fleet: new Map() as Counts,
  claude: new Map() as Counts,
  responses: new Map() as Counts,
  gemini: new Map() as Counts,
  late: new Map() as Counts,
};

interface SessionKey extends CreatedKey {
  label: string;
}
const keys: Record<string, SessionKey[]> = {};
const one = (label: string): SessionKey => {
  const key = keys[label]?.[0];
  if (key === undefined) throw new Error(`no ${label} key`);
  return key;
};
/** Every answer that passed auth, quota and routing: each must have exactly one usage row. */
const metered: Array<Answer & { keyId: string; model: string; brokeMidStream: boolean; aborted?: boolean }> = [];
/** `brokeMidStream`: a 200 stream that ended with an error event is recorded with that error's status. */
const meter = (answer: Answer, key: SessionKey, model: string, brokeMidStream = false): Answer => {
  metered.push({ ...answer, keyId: key.id, model, brokeMidStream });
  return answer;
};

const provider = async (body: Record<string, unknown>) => {
  const response = await admin('POST', '/providers', { firstByteTimeoutMs: 3_000, idleTimeoutMs: 2_000, ...body });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { warnings?: unknown[] };
};

const pairs = FORMATS.flatMap((client) =>
  (
    [
      ['openai-chat', fleetModel(123)],
      ['openai-responses', 'gpt-r'],
      ['anthropic', 'sonnet'],
      ['gemini', 'gemini-x'],
    ] as Array<[WireFormat, string]>
  ).flatMap(([upstream, model]) => [false, true].map((stream) => ({ client, upstream, model, stream }))),
);

describe('a relay through one session, no reset between steps', () => {
  it('the operator adds four providers (one with 320 models, a wildcard and an alias) and 32 keys', async () => {
    Object.assign(network, {
      'http://fleet.fake': fleetUpstream(counts.fleet),
      'http://claude.fake': claudeUpstream(counts.claude),
      'http://responses.fake': responsesUpstream(counts.responses),
      'http://gemini.fake': geminiUpstream(counts.gemini),
      'http://echo.fake': echoingUpstream('anthropic', 'http-400'),
      'http://echo-stream.fake': echoingUpstream('openai-chat', 'stream-error-after-content'),
    });
    const fleetModels = [
      ...Array.from({ length: FLEET_SIZE }, (_, index) => (index % 10 === 0 ? { name: fleetModel(index), maxOutputTokens: 2_048 } : fleetModel(index))),
      { name: 'fast', upstream: fleetModel(7) },
      'wild-*',
      'slow',
      'garbage',
      'drip',
    ];
    await provider({ id: 's-fleet', protocol: 'openai-chat', baseUrl: 'http://fleet.fake/v1', apiKey: UPSTREAM_KEYS['openai-chat'], models: fleetModels });
    await provider({
      id: 's-claude',
      protocol: 'anthropic',
      baseUrl: 'http://claude.fake',
      apiKey: UPSTREAM_KEYS.anthropic,
      models: [{ name: 'sonnet', upstream: 'claude-sonnet-5' }, 'claude-haiku', { name: 'busy', upstream: 'claude-busy' }, { name: 'storm', upstream: 'claude-storm' }],
    });
    await provider({
      id: 's-responses',
      protocol: 'openai-responses',
      baseUrl: 'http://responses.fake/v1',
      apiKey: UPSTREAM_KEYS['openai-responses'],
      models: ['gpt-r', { name: 'busy', upstream: 'gpt-busy' }],
      priority: 1,
    });
    await provider({ id: 's-gemini', protocol: 'gemini', baseUrl: 'http://gemini.fake', apiKey: UPSTREAM_KEYS.gemini, models: ['gemini-x', 'pricey'] });
    await provider({ id: 's-echo', protocol: 'anthropic', baseUrl: 'http://echo.fake', apiKey: SECRET_KEY, headers: { [ECHOED_HEADER]: SECRET_HEADER }, models: ['echo'], maxRetries: 0 });
    await provider({
      id: 's-echo-stream',
      protocol: 'openai-chat',
      baseUrl: 'http://echo-stream.fake/v1',
      apiKey: SECRET_KEY,
      headers: { [ECHOED_HEADER]: SECRET_HEADER },
      models: ['echo-stream'],
      maxRetries: 0,
    });

    const specs: Array<[string, number, Record<string, unknown>]> = [
      ['free', 10, { plan: 'free' }],
      ['pro', 10, { plan: 'pro' }],
      ['unlimited', 5, { plan: 'unlimited' }],
      ['prepaid', 1, { plan: 'unlimited', billing: 'prepaid' }],
      ['allow', 3, { plan: 'pro', models: ['sonnet', 'fast', 'wild-card'] }],
      ['cap2', 1, { plan: 'pro', quotaOverrides: { maxConcurrent: 2 } }],
      ['exact', 1, { plan: 'unlimited', quotaOverrides: { requestsPer5h: 30 } }],
      ['revokee', 1, { plan: 'free' }],
    ];
    await Promise.all(
      specs.map(async ([label, count, options]) => {
        keys[label] = await Promise.all(Array.from({ length: count }, async (_, index) => ({ ...(await createKey({ name: `${label}-${index}`, ...options })), label })));
      }),
    );
    expect(Object.values(keys).flat()).toHaveLength(32);

    // The catalog as a client lists it: every fleet model, the wildcard as a pattern, limits shown.
    const listed = await callRelay('/v1/models', { headers: { authorization: `Bearer ${one('pro').key}` } });
    expect(listed.status).toBe(200);
    const data = ((await listed.json()) as { data: Array<{ id: string; max_output_tokens?: number }> }).data;
    const ids = new Set(data.map((model) => model.id));
    for (const name of [fleetModel(0), fleetModel(FLEET_SIZE - 1), 'fast', 'wild-*', 'sonnet', 'gpt-r', 'gemini-x']) expect(ids.has(name), name).toBe(true);
    expect(data.find((model) => model.id === fleetModel(10))?.max_output_tokens).toBe(2_048);
    const restricted = await callRelay('/v1/models', { headers: { authorization: `Bearer ${one('allow').key}` } });
    expect(((await restricted.json()) as { data: Array<{ id: string }> }).data.map((model) => model.id).sort()).toEqual(['fast', 'sonnet', 'wild-card']);
  });

  it('serves all four client formats on all four upstream formats, streaming and not, across plans', async () => {
    const callers = [...(keys.free ?? []), ...(keys.pro ?? []), ...(keys.unlimited ?? [])];
    const answers = await inBatches(
      8,
      pairs.map((pair, index) => async () => {
        const key = callers[index % callers.length] as SessionKey;
        return { pair, answer: meter(await ask(pair.client, key.key, pair.model, pair.stream), key, pair.model) };
      }),
    );
    for (const { pair, answer } of answers) expectAnswered(answer, pair.stream);
    expect(new Set(answers.map(({ answer }) => answer.requestId)).size).toBe(pairs.length);

    // An alias and a wildcard reach the fleet under their upstream names; a clamp reaches it too.
    const before = counts.fleet.get(fleetModel(7)) ?? 0;
    const unlimited = one('unlimited');
    expectAnswered(meter(await ask('anthropic', unlimited.key, 'fast', true), unlimited, 'fast'), true);
    expect(counts.fleet.get(fleetModel(7))).toBe(before + 1);
    expectAnswered(meter(await ask('gemini', unlimited.key, 'wild-card', false), unlimited, 'wild-card'), false);
    expect(counts.fleet.get('wild-card')).toBe(1);
    // Every tenth fleet model declares maxOutputTokens 2,048: a larger ask is clamped before it leaves, passthrough or not.
    const asked = await callRelay('/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': unlimited.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: fleetModel(40), max_tokens: 64_000, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(asked.status).toBe(200);
    metered.push({ format: 'anthropic', status: 200, headers: asked.headers, text: await asked.text(), requestId: asked.headers.get('x-request-id') ?? '', keyId: unlimited.id, model: fleetModel(40), brokeMidStream: false });
    expect(lastBodies.get(fleetModel(40))).toMatchObject({ max_tokens: 2_048 });
    expectAnswered(meter(await ask('openai-chat', unlimited.key, fleetModel(50), false), unlimited, fleetModel(50)), false);
  });

  it('keeps a key to its allow-list, in the caller\'s shape', async () => {
    const key = one('allow');
    expectAnswered(meter(await ask('openai-responses', key.key, 'sonnet', true), key, 'sonnet'), true);
    expectAnswered(meter(await ask('openai-chat', key.key, 'wild-card', false), key, 'wild-card'), false);
    for (const format of FORMATS) {
      const refused = await ask(format, key.key, 'gemini-x', false);
      expect(refused.status).toBe(403);
      expect(errorMessageOf(refused)).toContain('gemini-x');
    }
  });

  it('gives every request its own id, whatever X-Request-Id the client sends', async () => {
    const key = one('pro');
    const first = meter(await ask('openai-chat', key.key, 'claude-haiku', false, { 'x-request-id': 'client-chosen' }), key, 'claude-haiku');
    const second = meter(await ask('openai-chat', key.key, 'claude-haiku', false, { 'x-request-id': 'client-chosen' }), key, 'claude-haiku');
    expectAnswered(first, false);
    expectAnswered(second, false);
    expect(first.requestId).not.toBe(second.requestId);
  });

  it('a 429 burst on one model refuses only that model\'s callers, with the upstream\'s words and retry-after', async () => {
    const callers = [...(keys.free ?? []), ...(keys.pro ?? [])];
    const busyBefore = counts.claude.get('claude-busy') ?? 0;
    const burst = await Promise.all(
      Array.from({ length: 16 }, async (_, index) => {
        const key = callers[index] as SessionKey;
        const format = FORMATS[index % 4] as WireFormat;
        const model = index % 2 === 0 ? 'busy' : ['sonnet', 'claude-haiku', 'gemini-x', fleetModel(200)][(index >> 1) % 4] as string;
        const stream = index % 3 === 0;
        return { model, stream, answer: meter(await ask(format, key.key, model, stream), key, model) };
      }),
    );
    for (const { model, stream, answer } of burst) {
      if (model !== 'busy') {
        expectAnswered(answer, stream);
        continue;
      }
      expect(answer.status, answer.text).toBe(429);
      const message = errorMessageOf(answer);
      // Every candidate said 429: the last one's message, never a relay-made "rate limited" of its own.
      expect(message.includes(ANTHROPIC_BUSY_MESSAGE) || message.includes(RESPONSES_BUSY_MESSAGE), message).toBe(true);
      expect(['7', '3']).toContain(answer.headers.get('retry-after'));
    }
    // Each refused request asked both upstreams itself: nothing was refused from memory.
    expect((counts.claude.get('claude-busy') ?? 0) - busyBefore).toBe(8);
    expect(counts.responses.get('gpt-busy')).toBe(8);
    // And right after the burst, the same provider's other models still answer everyone.
    for (const format of FORMATS) expectAnswered(meter(await ask(format, one('free').key, 'sonnet', true), one('free'), 'sonnet'), true);
  });

  it('never lets an upstream\'s echo of its key or configured headers reach a client', async () => {
    const key = one('unlimited');
    for (const format of FORMATS) {
      for (const [model, stream] of [['echo', false], ['echo', true], ['echo-stream', true]] as Array<[string, boolean]>) {
        const answer = meter(await ask(format, key.key, model, stream), key, model, model === 'echo-stream');
        const seen = answer.text + JSON.stringify([...answer.headers]);
        expect(seen).not.toContain(SECRET_KEY);
        expect(seen).not.toContain(SECRET_HEADER);
        expect(answer.text, `${format} ${model} ${stream}`).toContain('[redacted]');
        if (model === 'echo-stream') {
          expect(answer.status).toBe(200);
          expect(inStreamError(format, answer.text), answer.text).toBeDefined();
        } else {
          expect(answer.status).toBeGreaterThanOrEqual(400);
          errorMessageOf(answer);
        }
      }
    }
  });

  it('ends a stream that turns malformed with the client format\'s error event', async () => {
    const key = one('pro');
    for (const format of FORMATS) {
      const answer = meter(await ask(format, key.key, 'garbage', true), key, 'garbage', true);
      expect(answer.status).toBe(200);
      expect(answer.text).not.toContain('"content":"wer');
      expect(inStreamError(format, answer.text), `${format}: ${answer.text}`).toBeDefined();
    }
  });

  it('retries a 529 on the same provider: one answered request per client', async () => {
    const key = one('pro');
    const before = counts.claude.get('claude-storm') ?? 0;
    for (const format of FORMATS) expectAnswered(meter(await ask(format, key.key, 'storm', format !== 'gemini'), key, 'storm'), format !== 'gemini');
    expect((counts.claude.get('claude-storm') ?? 0) - before).toBe(8);
  });

  it('admits exactly the 5-hour quota under a 50-way burst on one key, and caps concurrency at 2', async () => {
    const exact = one('exact');
    const burst = await Promise.all(
      Array.from({ length: 50 }, async (_, index) => {
        const format = FORMATS[index % 4] as WireFormat;
        const answer = await ask(format, exact.key, fleetModel(index), index % 5 === 0);
        if (answer.status === 200) meter(answer, exact, fleetModel(index));
        return answer;
      }),
    );
    expect(burst.filter((answer) => answer.status === 200)).toHaveLength(30);
    const refused = burst.filter((answer) => answer.status !== 200);
    expect(refused).toHaveLength(20);
    for (const answer of refused) {
      expect(answer.status).toBe(429);
      errorMessageOf(answer);
      expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    const summary = (await (await callRelay('/v1/usage', { headers: { authorization: `Bearer ${exact.key}` } })).json()) as {
      quota: { fiveHour: { used: number; remaining: number } };
    };
    expect(summary.quota.fiveHour).toMatchObject({ used: 30, remaining: 0 });

    const capped = one('cap2');
    const slow = await Promise.all(Array.from({ length: 6 }, () => ask('openai-chat', capped.key, 'slow', false)));
    const served = slow.filter((answer) => answer.status === 200);
    expect(served).toHaveLength(2);
    for (const answer of served) meter(answer, capped, 'slow');
    for (const answer of slow.filter((answer) => answer.status !== 200)) {
      expect(answer.status).toBe(429);
      expect(errorMessageOf(answer)).toMatch(/concurren/i);
    }
    // The slots come back when the requests end.
    expectAnswered(meter(await ask('anthropic', capped.key, 'slow', true), capped, 'slow'), true);
  });

  it('gives a capped key its slots back when its clients leave mid-stream, and lets the upstream go', async () => {
    const capped = one('cap2');
    const leaving = await Promise.all((['anthropic', 'openai-responses'] as WireFormat[]).map((format) => openStream(format, capped.key, 'drip')));
    for (const stream of leaving) expect(stream.status).toBe(200);
    // Both slots are taken while the streams run.
    expect((await ask('openai-chat', capped.key, 'claude-haiku', false)).status).toBe(429);
    for (const stream of leaving) stream.leave();
    await eventually(async () => (dripCancels.count >= 2 ? true : undefined), 3_000);
    const back = await eventually(async () => {
      const answer = await ask('openai-chat', capped.key, 'claude-haiku', false);
      return answer.status === 200 ? answer : undefined;
    }, 3_000);
    meter(back, capped, 'claude-haiku');
    const aborted = await eventually(async () => {
      const ids = leaving.map((stream) => stream.requestId);
      const rows = await env.DB.prepare('SELECT aborted FROM usage_events WHERE request_id IN (?1, ?2)').bind(...ids).all<{ aborted: number }>();
      return rows.results.length === 2 ? rows.results : undefined;
    });
    expect(aborted.map((row) => row.aborted)).toEqual([1, 1]);
    for (const stream of leaving) metered.push({ ...stream.answer(), keyId: capped.id, model: 'drip', brokeMidStream: false, aborted: true });
  });

  it('lets a prepaid key spend its small balance request after request, then refuses it in the caller\'s shape', async () => {
    const prepaid = one('prepaid');
    // $500 / 1M tokens both ways: one gemini-fake answer costs about a cent; the balance is 5 cents.
    expect([200, 201]).toContain((await admin('PUT', '/prices/pricey', { inputPerMillion: 500, outputPerMillion: 500 })).status);
    const topup = await admin('POST', `/accounts/${prepaid.accountId}/topup`, { amount: 0.05, reference: 'session-seed' });
    expect(topup.status).toBe(201);

    const served: Answer[] = [];
    let refusal: Answer | undefined;
    for (let i = 0; i < 12 && refusal === undefined; i++) {
      const format = FORMATS[i % 4] as WireFormat;
      // A person (or an agent loop) reads each answer before the next request: a moment, far less than a queue flush.
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      const answer = await ask(format, prepaid.key, 'pricey', i % 2 === 1);
      if (answer.status === 200) served.push(meter(answer, prepaid, 'pricey'));
      else refusal = answer;
    }
    // A user sending one request after another gets about balance / cost of them, not one per queue flush.
    expect(served.length, refusal?.text).toBeGreaterThanOrEqual(3);
    expect(refusal, 'the balance ran out').toBeDefined();
    const last = refusal as Answer;
    expect(last.status).toBe(last.format === 'anthropic' ? 402 : 429);
    expect(errorMessageOf(last)).toContain('prepaid balance');

    // Once every request is settled (no reservation left open): the balance is the ledger's sum, is what
    // the recorded costs left of the top-up, and is at most one request below zero.
    const state = await eventually(async () => {
      const row = await env.DB.prepare(
        `SELECT a.balance_micros AS balance, (SELECT COALESCE(SUM(amount_micros), 0) FROM ledger WHERE account_id = a.id) AS ledgerSum,
           (SELECT COALESCE(SUM(cost_micros), 0) FROM usage_events WHERE key_id = ?2) AS spent,
           (SELECT COUNT(*) FROM usage_events WHERE key_id = ?2) AS events
         FROM accounts a WHERE a.id = ?1`,
      )
        .bind(prepaid.accountId, prepaid.id)
        .first<{ balance: number; ledgerSum: number; spent: number; events: number }>();
      const { openHolds } = await accountBalanceOf(env, prepaid.accountId).status({ accountId: prepaid.accountId });
      return row !== null && row.events === served.length && openHolds === 0 && row.balance === 50_000 - row.spent ? row : undefined;
    });
    expect(state.balance).toBe(state.ledgerSum);
    expect(state.balance).toBeGreaterThan(-10_000);
    // Every request settled is a request the caller was answered for.
    const balance = (await (await callRelay('/v1/usage', { headers: { authorization: `Bearer ${prepaid.key}` } })).json()) as { balance: number };
    expect(balance.balance).toBeCloseTo(state.balance / 1_000_000, 6);
  });

  it('refuses a revoked key at once in the isolate that revoked it, in every format', async () => {
    const revokee = one('revokee');
    expectAnswered(meter(await ask('gemini', revokee.key, 'gemini-x', true), revokee, 'gemini-x'), true);
    expect((await admin('DELETE', `/keys/${revokee.id}`)).status).toBe(200);
    for (const format of FORMATS) {
      const answer = await ask(format, revokee.key, 'gemini-x', false);
      expect(answer.status).toBe(401);
      errorMessageOf(answer);
    }
  });

  it('serves admin changes on the next request: a provider added, patched, disabled and enabled again', async () => {
    const key = one('unlimited');
    network['http://late.fake'] = geminiUpstream(counts.late);
    await provider({ id: 's-late', protocol: 'gemini', baseUrl: 'http://late.fake', apiKey: UPSTREAM_KEYS.gemini, models: ['late-model'] });
    expectAnswered(meter(await ask('openai-responses', key.key, 'late-model', true), key, 'late-model'), true);

    const patched = await admin('PATCH', '/providers/s-late', { models: ['late-model', { name: 'late-alias', upstream: 'late-model' }] });
    expect(patched.status).toBe(200);
    expectAnswered(meter(await ask('anthropic', key.key, 'late-alias', false), key, 'late-alias'), false);
    expect(counts.late.get('late-model')).toBe(2);

    expect((await admin('PATCH', '/providers/s-responses', { enabled: false })).status).toBe(200);
    const gone = await ask('openai-chat', key.key, 'gpt-r', false);
    expect(gone.status).toBe(404);
    errorMessageOf(gone);
    expect((await admin('PATCH', '/providers/s-responses', { enabled: true })).status).toBe(200);
    expectAnswered(meter(await ask('openai-chat', key.key, 'gpt-r', false), key, 'gpt-r'), false);
  });

  it('records one usage row per metered request, rollups that add up, and /v1/usage figures that match', async () => {
    const byId = new Map(metered.map((answer) => [answer.requestId, answer]));
    expect(byId.size).toBe(metered.length);
    const rows = await eventually(async () => {
      const found = await usageRowsOf(metered.map((answer) => answer.requestId));
      return found.size === metered.length ? found : undefined;
    }, 20_000);
    for (const answer of metered) {
      const row = rows.get(answer.requestId);
      expect(row, answer.requestId).toMatchObject({ key_id: answer.keyId, model: answer.model, client_format: answer.format });
      if (answer.brokeMidStream) expect(row?.status, answer.requestId).toBeGreaterThanOrEqual(500);
      else if (answer.aborted !== true) expect(row?.status, answer.requestId).toBe(answer.status);
    }

    // Per key: the rollup is the sum of its rows, and /v1/usage says what the rollup says.
    const sessionKeys = Object.values(keys).flat().filter((key) => key.label !== 'revokee');
    for (const key of sessionKeys) {
      const { events, rollup, summary } = await keyTotals(key.id, key.key);
      expect(rollup, key.label).toEqual(events);
      expect(events?.requests, key.label).toBe(metered.filter((answer) => answer.keyId === key.id).length);
      expect(summary, key.label).toEqual(rollup);
    }
  });
});
