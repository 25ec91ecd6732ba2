import type { AuthenticatedKey } from '../auth/key-record';
import type { Env } from '../env';
import { invalidRequest, RelayError } from '../errors';
import { loadRouteTable } from '../routing/route-table';
import { chargeTask, imagePriceMicros, isDebited } from './billing';
import { endTask } from './finish-task';
import { idempotentTaskId, newTaskId, sha256Hex } from './ids';
import { enqueueImageMessage } from './messages';
import { resolveImageModel } from './resolve-image-model';
import { deleteTask, getTask, putTask } from './task-store';
import type { ImageTask } from './task';
import type { ValidatedImageRequest } from './validate-request';

export interface SubmitInput {
  key: AuthenticatedKey;
  validated: ValidatedImageRequest;
  idempotencyKey: string | null;
  /** Origin of the submit request; result file URLs are built on it. */
  origin: string;
  /** false when the caller runs the first attempt itself (Prefer: wait). */
  enqueue: boolean;
  now: number;
}

export interface SubmitResult {
  task: ImageTask;
  /** The Idempotency-Key matched an earlier submit: nothing new was charged or queued. */
  replayed: boolean;
}

const checkModel = async (env: Env, key: AuthenticatedKey, validated: ValidatedImageRequest): Promise<void> => {
  const { model, request } = validated;
  if (key.models !== null && !key.models.includes(model)) throw new RelayError('permission', 403, `this API key may not use model "${model}"`);
  const table = await loadRouteTable(env);
  if (resolveImageModel(table, model, { needsImageInput: false }).length === 0) {
    throw new RelayError('model_not_found', 404, `The image model "${model}" does not exist or is not served by this relay`, { code: 'model_not_found', param: 'model' });
  }
  if (request.imageUrls.length > 0 && resolveImageModel(table, model, { needsImageInput: true }).length === 0) {
    throw new RelayError('unsupported_feature', 400, `image_urls: the providers of "${model}" cannot take input images`, { param: 'image_urls' });
  }
};

/**
 * Submit, in an order that never loses money: the task is written to KV (with its in-flight index
 * entry) before the charge, so any charge has a task the sweep can find and refund; the message is
 * sent last, and a failed send ends the task with a refund.
 */
export const submitImageTask = async (env: Env, input: SubmitInput): Promise<SubmitResult> => {
  const { key, validated, idempotencyKey, now } = input;
  await checkModel(env, key, validated);
  const requestHash = await sha256Hex(JSON.stringify({ model: validated.model, request: validated.request }));
  const id = idempotencyKey === null ? newTaskId() : await idempotentTaskId(key.accountId, idempotencyKey);
  if (idempotencyKey !== null) {
    const existing = await getTask(env, id);
    if (existing !== null) {
      if (existing.requestHash !== requestHash) throw new RelayError('invalid_request', 409, 'Idempotency-Key was already used for a different request', { code: 'idempotency_key_reused' });
      return { task: existing, replayed: true };
    }
  }
  const chargeMicros = await imagePriceMicros(env, validated.model);
  const task: ImageTask = {
    id,
    accountId: key.accountId,
    keyId: key.id,
    billing: key.billing,
    model: validated.model,
    request: validated.request,
    status: 'pending',
    createdAt: now,
    updatedAt: now,
    attempts: 0,
    chargeMicros,
    charged: isDebited(key.billing, chargeMicros),
    result: null,
    error: null,
    fileOrigin: input.origin,
    requestHash,
    webhook: validated.request.webhookUrl === null ? null : { url: validated.request.webhookUrl, state: 'pending', attempts: [] },
  };
  await putTask(env, task);
  if (task.charged && (await chargeTask(env, task, now)) === 'insufficient') {
    await deleteTask(env, id);
    throw new RelayError('insufficient_quota', 429, `insufficient balance: this image costs $${(chargeMicros / 1_000_000).toFixed(5)}`, { code: 'insufficient_quota' });
  }
  if (input.enqueue) {
    try {
      await enqueueImageMessage(env, { kind: 'generate', taskId: id });
    } catch (error) {
      await endTask(env, id, 'failed', { code: 'queue_unavailable', message: 'the task could not be queued' }, Date.now());
      throw new RelayError('overloaded', 503, 'the image queue is unavailable; the charge was refunded', { cause: error });
    }
  }
  return { task, replayed: false };
};

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export const readIdempotencyKey = (header: string | undefined): string | null => {
  if (header === undefined) return null;
  if (!IDEMPOTENCY_KEY.test(header)) throw invalidRequest('Idempotency-Key must be 1 to 255 visible ASCII characters');
  return header;
};
