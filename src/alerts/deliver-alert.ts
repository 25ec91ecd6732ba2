import { configOf, type Env } from '../env';
import { SECRET_VERSION_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../images/queue/webhook';
import { signWebhook, webhookSecretOf } from '../images/queue/webhook-secret';
import { isPublicUrl } from '../net/url-safety';

const ALERT_ID_HEADER = 'x-polyrelay-alert-id';
const ALERT_TIMEOUT_MS = 10_000;
/** Waits before the 2nd and 3rd attempt. Alerts ride on waitUntil, so the whole delivery stays well inside its 30 s. */
const RETRY_DELAYS_MS = [1_000, 4_000];

export interface AlertDelivery {
  state: 'delivered' | 'failed';
  attempts: number;
  error: string | null;
}

const postOnce = async (url: string, headers: Record<string, string>, body: string): Promise<string | null> => {
  try {
    // A redirect is a failure: following it could reach an address the URL check refused.
    const response = await fetch(url, { method: 'POST', redirect: 'manual', headers, body, signal: AbortSignal.timeout(ALERT_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.ok ? null : `receiver answered ${response.status}`;
  } catch (error) {
    return error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${ALERT_TIMEOUT_MS} ms` : `delivery failed: ${String(error)}`;
  }
};

/**
 * POSTs one alert to the account's alert URL, signed exactly like image-task webhooks (the account's
 * derived secret, HMAC over `${timestamp}.${alert_id}.${body}`), with up to three attempts.
 */
export const deliverAlert = async (env: Env, accountId: string, url: string, alertId: string, body: string): Promise<AlertDelivery> => {
  if (!isPublicUrl(url, { allowData: false, allowPrivate: configOf(env).allowPrivateUrls })) {
    return { state: 'failed', attempts: 0, error: 'alertWebhookUrl is not a public http(s) URL' };
  }
  const secret = await webhookSecretOf(env, accountId);
  if (secret === null) return { state: 'failed', attempts: 0, error: 'relay misconfigured: WEBHOOK_SECRET is not set' };
  let error: string | null = null;
  for (let attempt = 1; attempt <= RETRY_DELAYS_MS.length + 1; attempt++) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'polyrelay-webhook/1',
      [SIGNATURE_HEADER]: await signWebhook(secret.secret, timestamp, alertId, body),
      [TIMESTAMP_HEADER]: timestamp,
      [ALERT_ID_HEADER]: alertId,
      [SECRET_VERSION_HEADER]: String(secret.version),
    };
    error = await postOnce(url, headers, body);
    if (error === null) return { state: 'delivered', attempts: attempt, error: null };
    const wait = RETRY_DELAYS_MS[attempt - 1];
    if (wait !== undefined) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return { state: 'failed', attempts: RETRY_DELAYS_MS.length + 1, error };
};
