import { Hono, type Context } from 'hono';
import { publicBaseUrl, publicPath } from '../base-path';
import { configOf, type AppEnv } from '../env';
import { RelayError } from '../errors';
import { endTask } from '../images/tasks/end-task';
import { FILE_ID_PATTERN, TASK_ID_PATTERN } from '../images/tasks/ids';
import { imageKeyAuth } from '../images/http/image-key-auth';
import { taskPollLimit } from '../images/http/poll-limit';
import { webhookSecretOf } from '../images/queue/webhook-secret';
import { readIdempotencyKey, submitImageTask } from '../images/http/submit';
import { streamTaskEvents } from '../images/http/task-events';
import { FILE_TTL_SECONDS, getFile, getTask } from '../images/tasks/task-store';
import { isTerminal, taskView, type ImageTask } from '../images/tasks/task';
import { parseEditForm } from '../images/http/edit-form';
import { validateImageRequest, type RequestForm, type ValidatedImageRequest } from '../images/http/validate-request';
import { openAIImagesBody, preferredWaitSeconds, runFirstAttemptInline, waitForTask } from '../images/http/wait';
import { readJsonBody } from '../relay/read-body';
import { clientFormat } from './client-format';

const notFound = (id: string) => new RelayError('not_found', 404, `task "${id}" not found`, { code: 'task_not_found' });

/** A task is visible only to its own account; another account's task answers exactly like a missing one. */
const visibleTask = async (c: Context<AppEnv>): Promise<ImageTask> => {
  const id = c.req.param('id') ?? '';
  if (!TASK_ID_PATTERN.test(id)) throw notFound(id);
  const task = await getTask(c.env, id);
  if (task === null || task.accountId !== c.var.apiKey.accountId) throw notFound(id);
  return task;
};

const jsonRequest = (form: RequestForm) => async (c: Context<AppEnv>): Promise<ValidatedImageRequest> =>
  validateImageRequest(await readJsonBody(c.req.raw), form, configOf(c.env).allowPrivateUrls);

const editRequest = (c: Context<AppEnv>): Promise<ValidatedImageRequest> =>
  parseEditForm(c.req.raw, { maxBodyBytes: configOf(c.env).maxBodyBytes, allowPrivate: configOf(c.env).allowPrivateUrls });

const submit = async (c: Context<AppEnv>, parse: (c: Context<AppEnv>) => Promise<ValidatedImageRequest>): Promise<Response> => {
  const validated = await parse(c);
  const idempotencyKey = readIdempotencyKey(c.req.header('idempotency-key'));
  const waitSeconds = preferredWaitSeconds(c.req.header('prefer'));
  const started = Date.now();
  const { task, replayed } = await submitImageTask(c.env, {
    key: c.var.apiKey,
    validated,
    idempotencyKey,
    // Result links are built from this: under BASE_PATH they carry the prefix.
    origin: publicBaseUrl(c),
    enqueue: waitSeconds === undefined,
    now: started,
  });
  if (replayed) c.header('idempotent-replayed', 'true');
  c.header('location', publicPath(c.env, `/v1/tasks/${task.id}`));
  if (waitSeconds === undefined) return c.json(taskView(task), 202);

  const first = replayed ? undefined : runFirstAttemptInline(c.env, task.id);
  // The attempt outlives the answer when the wait runs out first.
  if (first !== undefined) c.executionCtx.waitUntil(first);
  const final = await waitForTask(c.env, task, started + waitSeconds * 1000, first);
  if (!isTerminal(final.status)) return c.json(taskView(final), 202);
  c.header('preference-applied', `wait=${waitSeconds}`);
  return c.json(await openAIImagesBody(c.env, final, validated.responseFormat), 200);
};

/**
 * Image task API. The files route takes no key: its id (192 random bits) is the capability, so
 * result URLs work in an <img> tag or an agent's plain fetch.
 */
export const imageRoutes = new Hono<AppEnv>()
  .use('/v1/images/*', clientFormat('openai-chat'), imageKeyAuth())
  .use('/v1/tasks/*', clientFormat('openai-chat'), imageKeyAuth(), taskPollLimit())
  .use('/v1/files/*', clientFormat('openai-chat'))
  .post('/v1/images/generations', (c) => submit(c, jsonRequest('generations')))
  .post('/v1/images/edits', (c) => submit(c, editRequest))
  .post('/v1/images/tasks', (c) => submit(c, jsonRequest('tasks')))
  // The secret this account's webhooks are signed with (per account; rotated through the admin API).
  .get('/v1/images/webhook-secret', async (c) => {
    const secret = await webhookSecretOf(c.env, c.var.apiKey.accountId);
    if (secret === null) throw new RelayError('api_error', 500, 'webhook signing is not configured on this relay');
    return c.json({ object: 'webhook_secret', secret: secret.secret, version: secret.version });
  })
  .get('/v1/tasks/:id', async (c) => c.json(taskView(await visibleTask(c))))
  .get('/v1/tasks/:id/events', async (c) => streamTaskEvents(c, await visibleTask(c)))
  .post('/v1/tasks/:id/cancel', async (c) => {
    const task = await visibleTask(c);
    if (task.status === 'cancelled') return c.json(taskView(task));
    if (task.status !== 'pending') {
      throw new RelayError('invalid_request', 409, `task is ${task.status}; only a pending task can be cancelled`, { code: 'task_not_cancellable' });
    }
    const ended = await endTask(c.env, task.id, 'cancelled', null, Date.now(), ['pending']);
    if (ended === null) throw notFound(task.id);
    if (ended.status !== 'cancelled') {
      throw new RelayError('invalid_request', 409, `task is ${ended.status}; only a pending task can be cancelled`, { code: 'task_not_cancellable' });
    }
    return c.json(taskView(ended));
  })
  .get('/v1/files/:id', async (c) => {
    const id = c.req.param('id');
    const file = FILE_ID_PATTERN.test(id) ? await getFile(c.env, id) : null;
    if (file === null) throw new RelayError('not_found', 404, 'file not found or expired', { code: 'file_not_found' });
    return new Response(file.bytes, {
      headers: {
        'content-type': file.metadata.contentType,
        'content-length': String(file.bytes.byteLength),
        'cache-control': `private, max-age=${FILE_TTL_SECONDS}, immutable`,
        'x-content-type-options': 'nosniff',
      },
    });
  });
