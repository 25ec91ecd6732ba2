import { configOf, type Env } from '../../env';
import { isPublicUrl } from '../../net/url-safety';
import { backoffSeconds } from './messages';
import { getTask, putTask } from '../tasks/task-store';
import { signWebhook, webhookSecretOf } from './webhook-secret';
import { isTerminal, taskView, type ImageTask, type WebhookAttempt } from '../tasks/task';

/**
 * Deliveries per webhook. Equal to the images queue's max_retries (5) + 1: the last failed delivery
 * calls retry() once more and the queue moves the message to polyrelay-images-dlq.
 */
export const MAX_WEBHOOK_ATTEMPTS = 6;
const WEBHOOK_TIMEOUT_MS = 10_000;
const RETRY_BASE_SECONDS = 10;
const RETRY_CAP_SECONDS = 300;

export const SIGNATURE_HEADER = 'x-polyrelay-signature';
export const TIMESTAMP_HEADER = 'x-polyrelay-timestamp';
const TASK_ID_HEADER = 'x-polyrelay-task-id';
export const SECRET_VERSION_HEADER = 'x-polyrelay-secret-version';

export type WebhookOutcome = { kind: 'done' } | { kind: 'retry'; delaySeconds: number };

const post = async (env: Env, task: ImageTask, url: string): Promise<{ status: number | null; error: string | null }> => {
  const secret = await webhookSecretOf(env, task.accountId);
  if (secret === null) return { status: null, error: 'relay misconfigured: WEBHOOK_SECRET is not set' };
  const body = JSON.stringify(taskView(task, { webhook: false }));
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = await signWebhook(secret.secret, timestamp, task.id, body);
  try {
    const response = await fetch(url, {
      method: 'POST',
      // A redirect counts as a failure: following it could lead to an address the URL check refused.
      redirect: 'manual',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'polyrelay-webhook/1',
        [SIGNATURE_HEADER]: signature,
        [TIMESTAMP_HEADER]: timestamp,
        [TASK_ID_HEADER]: task.id,
        [SECRET_VERSION_HEADER]: String(secret.version),
      },
      body,
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return { status: response.status, error: response.ok ? null : `receiver answered ${response.status}` };
  } catch (error) {
    return { status: null, error: error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${WEBHOOK_TIMEOUT_MS} ms` : `delivery failed: ${String(error)}` };
  }
};

/**
 * One webhook delivery for a terminal task. Every attempt is appended to the task's webhook log.
 * Deliveries are at least once (a redelivered message can post twice); receivers dedupe on task_id.
 */
export const deliverWebhook = async (env: Env, taskId: string, attempt: number): Promise<WebhookOutcome> => {
  const task = await getTask(env, taskId);
  if (task === null || task.webhook === null || !isTerminal(task.status) || task.webhook.state === 'delivered') return { kind: 'done' };
  const { url } = task.webhook;
  const safe = isPublicUrl(url, { allowData: false, allowPrivate: configOf(env).allowPrivateUrls });
  const result = safe ? await post(env, task, url) : { status: null, error: 'webhook_url is not a public http(s) URL' };
  const delivered = result.status !== null && result.status >= 200 && result.status < 300;
  const record: WebhookAttempt = { attempt, at: new Date().toISOString(), status: result.status, error: result.error };
  const exhausted = !safe || attempt >= MAX_WEBHOOK_ATTEMPTS;
  const latest = (await getTask(env, taskId)) ?? task;
  const webhook = latest.webhook ?? task.webhook;
  await putTask(env, {
    ...latest,
    webhook: { ...webhook, state: delivered ? 'delivered' : exhausted ? 'dead_lettered' : 'retrying', attempts: [...webhook.attempts, record] },
  });
  if (delivered || !safe) return { kind: 'done' };
  return { kind: 'retry', delaySeconds: backoffSeconds(attempt, RETRY_BASE_SECONDS, RETRY_CAP_SECONDS) };
};
