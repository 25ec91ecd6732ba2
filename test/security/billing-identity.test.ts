import { createExecutionContext, createMessageBatch } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { idempotentTaskId } from '../../src/images/tasks/ids';
import { consumeUsageBatch } from '../../src/usage/consumer';
import type { UsageEvent } from '../../src/usage/event';
import { applyLedgerEntry } from '../../src/usage/ledger';
import { fakeOpenAIImagesUpstream } from '../fakes/openai-images-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addMockProvider, createKey } from '../setup/seed';
import { addImageProvider, balanceOf, captureQueue, consume, ledgerRows, postImages, setImagePrice, take, taskOf } from '../images/helpers';
import { adminCall, call, dbCount, eventually, ledgerState, usageEvent } from '../usage/harness';

const chat = (key: string, headers: Record<string, string> = {}) =>
  call('/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'mock-identity', messages: [{ role: 'user', content: 'hello' }] }),
  });

const consumeUsage = async (events: UsageEvent[]): Promise<void> => {
  let sequence = 0;
  const batch = createMessageBatch<UsageEvent>('polyrelay-usage', events.map((body) => ({ id: `sec_${Date.now()}_${sequence++}`, timestamp: new Date(), attempts: 1, body })));
  createExecutionContext();
  await consumeUsageBatch(batch, env);
};

describe('the client does not choose the billing identity', () => {
  it('records and charges every request of a client that repeats one X-Request-Id', async () => {
    await addMockProvider();
    expect((await adminCall('PUT', '/prices/mock-identity', { inputPerMillion: 10, outputPerMillion: 30 })).status).toBe(201);
    const created = await createKey({ billing: 'prepaid' });
    await adminCall('POST', `/accounts/${created.accountId}/topup`, { amount: 1, reference: `seed_${created.id}` });

    const ids = new Set<string>();
    for (let request = 0; request < 3; request++) {
      const response = await chat(created.key, { 'x-request-id': 'constant-id' });
      expect(response.status, await response.clone().text()).toBe(200);
      expect(response.headers.get('x-client-request-id')).toBe('constant-id');
      ids.add(response.headers.get('x-request-id') ?? '');
      await response.text();
    }
    expect([...ids].every((id) => id.startsWith('req_'))).toBe(true);
    expect(ids.size).toBe(3);

    const state = await eventually(async () =>
      (await dbCount('SELECT COUNT(*) AS n FROM usage_events WHERE key_id = ?1', created.id)) === 3 ? ledgerState(created.accountId) : undefined,
    );
    expect(state.balance).toBe(state.ledgerSum);
    expect(state.balance).toBeLessThan(1_000_000);
    // Usage charges are one ledger row per account and hour: all three requests are in it, each once.
    const charged = -(await dbCount("SELECT SUM(amount_micros) AS n FROM ledger WHERE account_id = ?1 AND kind = 'charge'", created.accountId));
    expect(charged).toBe(await dbCount('SELECT SUM(cost_micros) AS n FROM usage_events WHERE key_id = ?1', created.id));
    expect(charged).toBeGreaterThan(0);
    expect(await dbCount("SELECT COUNT(*) AS n FROM usage_events WHERE request_id = 'constant-id'")).toBe(0);
  });

  it('does not echo a client request id that is long or carries odd characters', async () => {
    await addMockProvider();
    const created = await createKey({});
    const long = await chat(created.key, { 'x-request-id': 'x'.repeat(200) });
    expect(long.headers.get('x-client-request-id')).toBeNull();
    const odd = await chat(created.key, { 'x-request-id': 'a b<script>' });
    expect(odd.headers.get('x-client-request-id')).toBeNull();
    expect(odd.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('a usage charge whose id equals an image task id cannot pre-pay that task, so failing the task refunds only what it charged', async () => {
    const UPSTREAM = 'https://images.identity';
    installFakeUpstreams({ [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM, [{ status: 400 }, { status: 400 }, { status: 400 }]).handler });
    const sent = captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    await setImagePrice(model, 20_000);
    const key = await createKey({ billing: 'prepaid', scopes: ['chat', 'images'] });
    await applyLedgerEntry(env, { accountId: key.accountId, kind: 'topup', source: 'topup', amountMicros: 50_000, reference: `t_${key.id}`, now: Date.now() });

    for (let round = 0; round < 3; round++) {
      const idempotencyKey = `attack-${round}`;
      const taskId = await idempotentTaskId(key.accountId, idempotencyKey);
      // The old attack: a cheap request recorded under the id the image task will take (whatever path
      // got it there, the ledger must not mistake it for the task's charge).
      await consumeUsage([usageEvent({ requestId: taskId, accountId: key.accountId, keyId: key.id, model: 'cheap', billing: 'prepaid', costMicros: 1 })]);
      const submitted = await postImages('/v1/images/generations', key.key, { model, prompt: 'free money?' }, { 'idempotency-key': idempotencyKey });
      expect(submitted.status).toBe(202);
      expect(await ledgerRows(taskId)).toEqual([{ kind: 'charge', amount_micros: -20_000 }]);
      await consume(take(sent, 'generate'));
      expect((await taskOf(taskId, key.key)).status).toBe('failed');
      expect(await ledgerRows(taskId)).toEqual([
        { kind: 'charge', amount_micros: -20_000 },
        { kind: 'refund', amount_micros: 20_000 },
      ]);
    }
    // Each round cost its 1 micro-dollar of usage; nothing was credited beyond what was charged.
    expect(await balanceOf(key.accountId)).toBe(50_000 - 3);
    const state = await ledgerState(key.accountId);
    expect(state.balance).toBe(state.ledgerSum);
  });

  it('a ledger reference reused with another amount is a conflict, never "already paid"', async () => {
    const key = await createKey({ billing: 'prepaid' });
    await applyLedgerEntry(env, { accountId: key.accountId, kind: 'topup', source: 'topup', amountMicros: 10_000, reference: 'seed', now: Date.now() });
    const entry = { accountId: key.accountId, kind: 'charge' as const, source: 'image' as const, reference: 'media_same', requireFunds: true, now: Date.now() };
    expect(await applyLedgerEntry(env, { ...entry, amountMicros: -1 })).toBe('applied');
    expect(await applyLedgerEntry(env, { ...entry, amountMicros: -1 })).toBe('duplicate');
    expect(await applyLedgerEntry(env, { ...entry, amountMicros: -5_000 })).toBe('conflict');
    const other = await createKey({ billing: 'prepaid' });
    await applyLedgerEntry(env, { accountId: other.accountId, kind: 'topup', source: 'topup', amountMicros: 10_000, reference: 'seed', now: Date.now() });
    // Another account's entry with the same source id is its own entry, not a collision.
    expect(await applyLedgerEntry(env, { ...entry, accountId: other.accountId, amountMicros: -1 })).toBe('applied');
  });
});
