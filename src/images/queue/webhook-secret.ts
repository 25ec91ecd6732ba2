import type { Env } from '../../env';

const hex = (buffer: ArrayBuffer): string => Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, '0')).join('');

const hmacHex = async (secret: string, message: string): Promise<string> => {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return hex(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message)));
};

export interface WebhookSecret {
  secret: string;
  version: number;
}

/**
 * An account's webhook signing secret: derived from WEBHOOK_SECRET, the account id and its rotation
 * counter, so no secret is stored, each tenant can verify only its own deliveries, and a rotation
 * (counter + 1) retires the old secret at once.
 */
export const deriveWebhookSecret = async (masterSecret: string, accountId: string, version: number): Promise<string> =>
  `whsec_${await hmacHex(masterSecret, `polyrelay-webhook\n${accountId}\n${version}`)}`;

const versionOf = async (env: Env, accountId: string): Promise<number | null> => {
  const row = await env.DB.prepare('SELECT webhook_secret_version AS version FROM accounts WHERE id = ?1').bind(accountId).first<{ version: number }>();
  return row?.version ?? null;
};

/** The account's current secret; null when WEBHOOK_SECRET is unset or the account does not exist. */
export const webhookSecretOf = async (env: Env, accountId: string): Promise<WebhookSecret | null> => {
  if (!env.WEBHOOK_SECRET) return null;
  const version = await versionOf(env, accountId);
  if (version === null) return null;
  return { secret: await deriveWebhookSecret(env.WEBHOOK_SECRET, accountId, version), version };
};

/** Admin: moves the account to a new secret; null when the account does not exist. */
export const rotateWebhookSecret = async (env: Env, accountId: string): Promise<WebhookSecret | null> => {
  await env.DB.prepare('UPDATE accounts SET webhook_secret_version = webhook_secret_version + 1 WHERE id = ?1').bind(accountId).run();
  return webhookSecretOf(env, accountId);
};

/** Hex HMAC-SHA256 over `${timestamp}.${taskId}.${body}`: the timestamp stops replays of old bodies, the task id binds the body to its task. */
export const signWebhook = (secret: string, timestamp: string, taskId: string, body: string): Promise<string> => hmacHex(secret, `${timestamp}.${taskId}.${body}`);
