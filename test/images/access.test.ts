import { describe, expect, it } from 'vitest';
import { fakeOpenAIImagesUpstream } from '../fakes/openai-images-upstream';
import { createKey } from '../setup/seed';
import { installFakeUpstreams } from '../setup/fake-network';
import { addImageProvider, balanceOf, callImages, captureQueue, getWithKey, imageKey, ledgerRows, postImages, prepaidKey, setImagePrice, take } from './helpers';

const UPSTREAM = 'https://images.fake';

describe('access', () => {
  it('keeps tasks visible only to the account that created them (404 for everyone else)', async () => {
    installFakeUpstreams({ [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM).handler });
    captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    const owner = await imageKey();
    const sameAccount = await imageKey({ accountId: owner.accountId });
    const stranger = await imageKey();
    const { task_id: taskId } = (await (await postImages('/v1/images/generations', owner.key, { model, prompt: 'mine' })).json()) as { task_id: string };

    expect((await getWithKey(`/v1/tasks/${taskId}`, owner.key)).status).toBe(200);
    expect((await getWithKey(`/v1/tasks/${taskId}`, sameAccount.key)).status).toBe(200);
    for (const path of [`/v1/tasks/${taskId}`, `/v1/tasks/${taskId}/events`]) {
      const response = await getWithKey(path, stranger.key);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'task_not_found' } });
    }
    expect((await postImages(`/v1/tasks/${taskId}/cancel`, stranger.key, {})).status).toBe(404);
    expect((await getWithKey(`/v1/tasks/${taskId}`, owner.key)).status).toBe(200);
  });

  it('answers a key without the images scope with 403 saying an image key is needed, and no key with 401', async () => {
    const chatOnly = await createKey({ scopes: ['chat'] });
    const response = await postImages('/v1/images/generations', chatOnly.key, { model: 'x', prompt: 'y' });
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('permission_error');
    expect(body.error.message).toContain('image key');
    expect((await getWithKey('/v1/tasks/media_0000000000000000000000000000000000000000', chatOnly.key)).status).toBe(403);
    expect((await callImages('/v1/images/generations', { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it('answers an unknown image model with 404 and a model the key may not use with 403', async () => {
    const key = await imageKey({ models: ['only-this'] });
    expect((await postImages('/v1/images/generations', key.key, { model: 'nope', prompt: 'y' })).status).toBe(403);
    const open = await imageKey();
    const response = await postImages('/v1/images/generations', open.key, { model: 'no-such-image-model', prompt: 'y' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'model_not_found' } });
  });
});

describe('Idempotency-Key', () => {
  it('dedupes submits: same task, one charge, one queued message; a different body is a 409', async () => {
    installFakeUpstreams({ [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM).handler });
    const sent = captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    await setImagePrice(model, 1_000);
    const key = await prepaidKey(10_000);
    const body = { model, prompt: 'once' };
    const headers = { 'idempotency-key': 'order-42' };
    const [first, second] = await Promise.all([postImages('/v1/images/generations', key.key, body, headers), postImages('/v1/images/generations', key.key, body, headers)]);
    const ids = await Promise.all([first, second].map(async (response) => ((await response.json()) as { task_id: string }).task_id));
    expect(ids[0]).toBe(ids[1]);
    const third = await postImages('/v1/images/generations', key.key, body, headers);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect(((await third.json()) as { task_id: string }).task_id).toBe(ids[0]);
    expect(await balanceOf(key.accountId)).toBe(9_000);
    expect(await ledgerRows(ids[0] ?? '')).toEqual([{ kind: 'charge', amount_micros: -1_000 }]);
    // Two racing first submits may both queue; the attempt is idempotent, so at most two, never more.
    expect(take(sent, 'generate').length).toBeLessThanOrEqual(2);

    const conflict = await postImages('/v1/images/generations', key.key, { model, prompt: 'something else' }, headers);
    expect(conflict.status).toBe(409);
    const other = await prepaidKey(10_000);
    const otherTask = (await (await postImages('/v1/images/generations', other.key, body, headers)).json()) as { task_id: string };
    expect(otherTask.task_id).not.toBe(ids[0]);
  });
});
