import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { quotaStatus } from '../../src/quota/quota-client';
import { sweepStuckTasks, STUCK_AFTER_MS } from '../../src/images/queue/sweep';
import { fakeOpenAIImagesUpstream } from '../fakes/openai-images-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addImageProvider, balanceOf, captureQueue, consume, getWithKey, imageKey, postImages, prepaidKey, setImagePrice, take } from '../images/helpers';
import type { AuthenticatedKey } from '../../src/auth/key-record';

const UPSTREAM = 'https://images.limits';

const setup = async () => {
  installFakeUpstreams({ [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM).handler });
  const sent = captureQueue();
  const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
  return { sent, model };
};

const submit = (key: string, model: string) => postImages('/v1/images/generations', key, { model, prompt: 'limits' });
const taskIdOf = async (response: Response) => ((await response.json()) as { task_id: string }).task_id;

const activeLeases = async (keyId: string, accountId: string, maxConcurrent: number): Promise<number> => {
  const key: AuthenticatedKey = {
    id: keyId,
    accountId,
    name: 'k',
    kind: 'inference',
    planId: 'unlimited',
    planAgentAccess: false,
    billing: 'subscription',
    scopes: ['images'],
    models: null,
    limits: { requestsPer5h: null, requestsPerWeek: null, requestsPerMinute: null, maxConcurrent, tokensPerMinute: null, tokensPerDay: null },
    monthlySpendCapMicros: null,
    expiresAt: null,
  };
  return (await quotaStatus(env, key, Date.now())).concurrency.active;
};

describe('image tasks are governed by the key plan', () => {
  it('holds a concurrency slot from submit until the task ends', async () => {
    const { sent, model } = await setup();
    const key = await imageKey({ quotaOverrides: { maxConcurrent: 1 } });
    const first = await submit(key.key, model);
    expect(first.status).toBe(202);
    expect(await activeLeases(key.id, key.accountId, 1)).toBe(1);

    const refused = await submit(key.key, model);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });

    await consume(take(sent, 'generate'));
    expect(await activeLeases(key.id, key.accountId, 1)).toBe(0);
    const after = await submit(key.key, model);
    expect(after.status).toBe(202);

    // A cancel frees the slot too.
    const cancelled = await postImages(`/v1/tasks/${await taskIdOf(after)}/cancel`, key.key, {});
    expect(cancelled.status).toBe(200);
    expect(await activeLeases(key.id, key.accountId, 1)).toBe(0);
  });

  it('the sweep that ends a stuck task frees its slot', async () => {
    const { model } = await setup();
    const key = await imageKey({ quotaOverrides: { maxConcurrent: 1 } });
    expect((await submit(key.key, model)).status).toBe(202);
    expect(await sweepStuckTasks(env, Date.now() + 2 * STUCK_AFTER_MS)).toBeGreaterThanOrEqual(1);
    expect(await activeLeases(key.id, key.accountId, 1)).toBe(0);
  });

  it('counts each task against the per-minute limit', async () => {
    const { model } = await setup();
    const key = await imageKey({ quotaOverrides: { requestsPerMinute: 2 } });
    expect((await submit(key.key, model)).status).toBe(202);
    expect((await submit(key.key, model)).status).toBe(202);
    const third = await submit(key.key, model);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).not.toBeNull();
  });

  it('refuses a task whose price would pass the monthly spend cap, counting tasks still in flight', async () => {
    const { model } = await setup();
    await setImagePrice(model, 400_000);
    const key = await imageKey({ monthlySpendCap: 1 });
    expect((await submit(key.key, model)).status).toBe(202);
    expect((await submit(key.key, model)).status).toBe(202);
    const third = await submit(key.key, model);
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { message: string } }).error.message).toContain('monthly spend cap');
  });

  it('refuses a prepaid task the balance cannot cover before it takes a slot or writes anything', async () => {
    const { sent, model } = await setup();
    await setImagePrice(model, 30_000);
    const key = await prepaidKey(50_000);
    expect((await submit(key.key, model)).status).toBe(202);
    const refused = await submit(key.key, model);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'insufficient_quota' } });
    expect(take(sent, 'generate')).toHaveLength(1);
    expect(await balanceOf(key.accountId)).toBe(20_000);
    expect((await getWithKey('/v1/usage', key.key)).status).not.toBe(500);
  });
});
