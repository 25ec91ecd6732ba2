import { describe, expect, it, vi } from 'vitest';
import { fakeOpenAIImagesUpstream } from '../fakes/openai-images-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addImageProvider, captureQueue, consume, getWithKey, imageKey, postImages, take } from '../images/helpers';

const UPSTREAM = 'https://images.leaky';
const HOOKS = 'https://hooks.leaky';
const LEAK = 'org-internal-7731 request req_upstream_secret_42 on cluster eu-3';

describe('image task errors', () => {
  it('polls and webhooks carry a relay error; the upstream message and provider id go to the log only', async () => {
    const hooks: string[] = [];
    installFakeUpstreams({
      [UPSTREAM]: fakeOpenAIImagesUpstream(UPSTREAM, [{ status: 400, message: LEAK }]).handler,
      [HOOKS]: async (request) => {
        hooks.push(await request.text());
        return new Response('ok');
      },
    });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const sent = captureQueue();
    const model = await addImageProvider('openai-images', `${UPSTREAM}/v1`);
    const key = await imageKey();
    const submitted = await postImages('/v1/images/generations', key.key, { model, prompt: 'leak?', webhook_url: `${HOOKS}/cb` });
    const { task_id: taskId } = (await submitted.json()) as { task_id: string };
    await consume(take(sent, 'generate'));
    await consume(take(sent, 'webhook'));

    const poll = await (await getWithKey(`/v1/tasks/${taskId}`, key.key)).text();
    for (const seen of [poll, ...hooks]) {
      expect(seen).toContain('"status":"failed"');
      expect(seen).not.toContain('org-internal-7731');
      expect(seen).not.toContain('req_upstream_secret_42');
      expect(seen).not.toMatch(/"error":\{[^}]*p-\d+/);
    }
    expect(JSON.parse(poll)).toMatchObject({ error: { code: 'upstream_error', message: 'the image upstream failed to generate the image' } });
    const log = logged.mock.calls.map((call) => String(call[0])).find((line) => line.includes(taskId));
    expect(log).toContain('org-internal-7731');
  });
});
