import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext, type QueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { vi } from 'vitest';
import type { AppEnv, Env } from '../../src/env';
import { toRelayError } from '../../src/errors';
import { consumeImageBatch } from '../../src/images/queue/consumer';
import { imageQueueMessageSchema, type ImageQueueMessage } from '../../src/images/queue/messages';
import { codecFor } from '../../src/protocols/registry';
import { imageRoutes } from '../../src/routes/images';
import { invalidateRouteTable } from '../../src/routing/route-table';
import { applyLedgerEntry } from '../../src/usage/ledger';
import { addProvider, createKey, type CreatedKey } from '../setup/seed';

/**
 * imageRoutes on a fresh app with the relay's error rendering, so these tests do not depend on
 * src/app.ts mounting them.
 */
const app = new Hono<AppEnv>();
app.use(requestId());
app.route('/', imageRoutes);
app.onError((error, c) => {
  const encoded = codecFor('openai-chat').encodeError(toRelayError(error), c.var.requestId ?? '');
  return new Response(JSON.stringify(encoded.body), { status: encoded.status, headers: { 'content-type': 'application/json', ...encoded.headers } });
});

export const BASE = 'http://relay.test';

export const callImages = async (path: string, init: RequestInit = {}, bindings: Env = env): Promise<Response> => {
  const ctx = createExecutionContext();
  const response = await app.fetch(new Request(`${BASE}${path}`, init), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return response;
};

export const postImages = (path: string, key: string, body: unknown, headers: Record<string, string> = {}, bindings: Env = env): Promise<Response> =>
  callImages(path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }, bindings);

export const getWithKey = (path: string, key: string): Promise<Response> => callImages(path, { headers: { authorization: `Bearer ${key}` } });

export interface SentMessage {
  body: ImageQueueMessage;
  delaySeconds?: number;
}

/** Captures what the images code sends to IMAGE_QUEUE, so each test drives the consumer itself. */
export const captureQueue = (): SentMessage[] => {
  const sent: SentMessage[] = [];
  vi.spyOn(env.IMAGE_QUEUE, 'send').mockImplementation(async (body: unknown, options?: QueueSendOptions) => {
    sent.push({ body: imageQueueMessageSchema.parse(body), delaySeconds: options?.delaySeconds });
    return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
  });
  return sent;
};

let messageCounter = 0;

/** Runs consumeImageBatch on messages as the queue would deliver them. */
export interface RetryDelay {
  msgId: string;
  delaySeconds?: number;
}

export const consume = async (messages: Array<{ body: ImageQueueMessage; attempts?: number }>): Promise<QueueResult & { ids: string[]; delays: RetryDelay[] }> => {
  const ids = messages.map(() => `msg-${++messageCounter}`);
  const batch = createMessageBatch<unknown>(
    'polyrelay-images',
    messages.map((message, index) => ({ id: ids[index] ?? '', timestamp: Date.now(), attempts: message.attempts ?? 1, body: message.body })),
  );
  // getQueueResult does not report retry delays, so they are read off the messages' retry() calls.
  const delays: RetryDelay[] = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    vi.spyOn(message, 'retry').mockImplementation((options?: QueueRetryOptions) => {
      delays.push({ msgId: message.id, delaySeconds: options?.delaySeconds });
      retry(options);
    });
  }
  const ctx = createExecutionContext();
  await consumeImageBatch(batch, env);
  return { ...(await getQueueResult(batch, ctx)), ids, delays };
};

/** Takes (and removes) the queued messages of one kind. */
export const take = (sent: SentMessage[], kind: ImageQueueMessage['kind']): SentMessage[] => {
  const taken = sent.filter((message) => message.body.kind === kind);
  for (const message of taken) sent.splice(sent.indexOf(message), 1);
  return taken;
};

let providerCounter = 0;

/** A fresh provider (unique id and model) per call, so tests never see each other's routes. */
export const addImageProvider = async (protocol: 'openai-images' | 'gemini', baseUrl: string, extra: Record<string, unknown> = {}): Promise<string> => {
  const model = `img-${protocol}-${++providerCounter}-${Date.now()}`;
  await addProvider({ id: `p-${providerCounter}-${Date.now()}`, protocol, baseUrl, apiKey: 'sk-upstream-secret', models: [model], ...extra });
  invalidateRouteTable();
  return model;
};

export const setImagePrice = async (model: string, micros: number): Promise<void> => {
  await env.DB.prepare('INSERT OR REPLACE INTO model_prices (model, per_image_micros, updated_at) VALUES (?1, ?2, ?3)').bind(model, micros, Date.now()).run();
};

export const imageKey = (options: Record<string, unknown> = {}): Promise<CreatedKey> => createKey({ scopes: ['images'], ...options });

export const prepaidKey = async (balanceMicros: number): Promise<CreatedKey> => {
  const key = await imageKey({ billing: 'prepaid' });
  await applyLedgerEntry(env, { accountId: key.accountId, kind: 'topup', source: 'topup', amountMicros: balanceMicros, reference: `topup-${key.id}`, now: Date.now() });
  return key;
};

export const balanceOf = async (accountId: string): Promise<number> =>
  (await env.DB.prepare('SELECT balance_micros FROM accounts WHERE id = ?1').bind(accountId).first<{ balance_micros: number }>())?.balance_micros ?? Number.NaN;

/** The ledger rows of an image task (reference image:{account}:{task id}). */
export const ledgerRows = async (taskId: string): Promise<Array<{ kind: string; amount_micros: number }>> =>
  (
    await env.DB.prepare("SELECT kind, amount_micros FROM ledger WHERE reference LIKE 'image:%' AND substr(reference, -length(?1)) = ?1 ORDER BY kind")
      .bind(taskId)
      .all<{ kind: string; amount_micros: number }>()
  ).results;

export interface TaskJson {
  task_id: string;
  status: string;
  model: string;
  charge: string;
  attempts: number;
  result: { urls: string[] } | null;
  error: { code: string; message: string } | null;
  webhook: { url: string; state: string; attempts: Array<{ attempt: number; status: number | null; error: string | null }> } | null;
}

export const taskOf = async (taskId: string, key: string): Promise<TaskJson> => (await (await getWithKey(`/v1/tasks/${taskId}`, key)).json()) as TaskJson;
