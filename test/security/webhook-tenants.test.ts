import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { deriveWebhookSecret, signWebhook } from '../../src/images/queue/webhook-secret';
import { fakeOpenAIImagesUpstream } from '../fakes/openai-images-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { adminCall } from '../usage/harness';
import { addImageProvider, captureQueue, consume, getWithKey, imageKey, postImages, take } from '../images/helpers';

const UPSTREAM = 'https://images.tenants';
const HOOKS = 'https://hooks.tenants';

const secretOf = async (key: string): Promise<{ secret: string; version: number }> =>
  (await (await getWithKey('/v1/images/webhook-secret', key)).json()) as { secret: string; version: number };

describe('webhook secrets are per account', () => {
  it('a tenant cannot sign a delivery another tenant accepts, and a delivery verifies only with its own account secret and task id', async () => {
    const received: Request[] = [];
    installFakeUpstreams({
      [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM).handler,
      [HOOKS]: (request) => {
        received.push(request);
        return new Response('ok');
      },
    });
    const sent = captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    const victim = await imageKey();
    const attacker = await imageKey();
    const victimSecret = await secretOf(victim.key);
    const attackerSecret = await secretOf(attacker.key);
    expect(victimSecret.secret).not.toBe(attackerSecret.secret);
    expect(victimSecret.secret).not.toContain('test-webhook-secret');

    const submitted = await postImages('/v1/images/generations', victim.key, { model, prompt: 'hook', webhook_url: `${HOOKS}/cb` });
    const { task_id: taskId } = (await submitted.json()) as { task_id: string };
    await consume(take(sent, 'generate'));
    await consume(take(sent, 'webhook'));
    const delivery = received[0];
    if (delivery === undefined) throw new Error('no delivery');
    const body = await delivery.text();
    const timestamp = delivery.headers.get('x-polyrelay-timestamp') ?? '';
    const signature = delivery.headers.get('x-polyrelay-signature');
    expect(delivery.headers.get('x-polyrelay-task-id')).toBe(taskId);

    expect(await signWebhook(victimSecret.secret, timestamp, taskId, body)).toBe(signature);
    // What the attacker can sign with its own secret, the victim's receiver rejects.
    expect(await signWebhook(attackerSecret.secret, timestamp, taskId, body)).not.toBe(signature);
    // The signature is bound to the task: the same body under another task id does not verify.
    expect(await signWebhook(victimSecret.secret, timestamp, 'media_0000000000000000000000000000000000000000', body)).not.toBe(signature);
  });

  it('rotates through the admin API: the new secret is shown to the account and the old one stops matching', async () => {
    const key = await imageKey();
    const before = await secretOf(key.key);
    const shown = (await (await adminCall('GET', `/accounts/${key.accountId}`)).json()) as { webhookSecret: string; webhookSecretVersion: number };
    expect(shown).toMatchObject({ webhookSecret: before.secret, webhookSecretVersion: before.version });

    const rotated = await adminCall('POST', `/accounts/${key.accountId}/webhook-secret/rotate`);
    expect(rotated.status).toBe(200);
    const after = await secretOf(key.key);
    expect(after.version).toBe(before.version + 1);
    expect(after.secret).not.toBe(before.secret);
    expect(await rotated.json()).toMatchObject({ webhookSecret: after.secret });
    expect(after.secret).toBe(await deriveWebhookSecret(env.WEBHOOK_SECRET ?? '', key.accountId, after.version));
  });
});
