import type { AuthenticatedKey } from '../../auth/key-record';
import { assertKeyMayUse, modelNotFound } from '../../auth/model-access';
import type { Env } from '../../env';
import { invalidRequest, RelayError } from '../../errors';
import { loadRouteTable } from '../../routing/route-table';
import { admitRequest, refundRequest, taskLeaseOf } from '../../quota/quota-client';
import { assertCanSpendPrice } from '../../usage/billing';
import { accountBalanceMicros } from '../../usage/ledger';
import { chargeTask, imagePriceMicros, isDebited } from '../tasks/billing';
import { endTask } from '../tasks/end-task';
import { idempotentTaskId, newTaskId, sha256Hex } from '../tasks/ids';
import { enqueueImageMessage } from '../queue/messages';
import { deleteTaskInputs, putTaskInputs } from '../tasks/input-store';
import { imageNeedsOf, resolveImageModel } from '../upstreams/resolve-image-model';
import { deleteTask, getTask, putTask } from '../tasks/task-store';
import type { ImageTask } from '../tasks/task';
import { deleteTaskRow, inflightChargeMicros, insertTaskRow } from '../tasks/task-rows';
import type { ValidatedImageRequest } from './validate-request';

export interface SubmitInput {
  key: AuthenticatedKey;
  validated: ValidatedImageRequest;
  idempotencyKey: string | null;
  /** Base URL of the submit request (origin plus BASE_PATH); result file URLs are built on it. */
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
  assertKeyMayUse(key, model);
  const table = await loadRouteTable(env);
  if (resolveImageModel(table, model, { needsImageInput: false }).length === 0) {
    throw modelNotFound(model);
  }
  if (request.imageUrls.length > 0 && resolveImageModel(table, model, { needsImageInput: true }).length === 0) {
    throw new RelayError('unsupported_feature', 400, `image_urls: the providers of "${model}" cannot take input images`, { param: 'image_urls' });
  }
  const needs = imageNeedsOf(request);
  if (needs.needsUploads && resolveImageModel(table, model, { needsImageInput: false, needsUploads: true }).length === 0) {
    throw new RelayError('unsupported_feature', 400, `image: the providers of "${model}" cannot edit images`, { param: 'image' });
  }
  if (needs.needsMask && resolveImageModel(table, model, needs).length === 0) {
    throw new RelayError('unsupported_feature', 400, `mask: the providers of "${model}" take no mask`, { param: 'mask' });
  }
};

const insufficientBalance = (chargeMicros: number): RelayError =>
  new RelayError('insufficient_quota', 429, `insufficient balance: this image costs $${(chargeMicros / 1_000_000).toFixed(5)}`, { code: 'insufficient_quota' });

/**
 * Submit, in an order that never loses money and lets plans govern image keys like chat keys:
 * 1. model, then the price against the spend cap (tasks in flight included) and, for prepaid keys, a
 *    balance that can cover it;
 * 2. one admission through the key's QuotaLimiter (windows, per-minute, concurrency); its lease is
 *    kept on the task and released only when the task ends;
 * 3. the D1 row (the task's strongly consistent status) and the KV copy, then the charge, so any
 *    charge has a task the sweep can find and refund; a refused charge removes the task again;
 * 4. the queue message last; a failed send ends the task with a refund.
 */
export const submitImageTask = async (env: Env, input: SubmitInput): Promise<SubmitResult> => {
  const { key, validated, idempotencyKey, now } = input;
  await checkModel(env, key, validated);
  const requestHash = await sha256Hex(JSON.stringify({ model: validated.model, request: validated.request }));
  const id = idempotencyKey === null ? newTaskId() : await idempotentTaskId(key.accountId, idempotencyKey);
  const replay = async (): Promise<SubmitResult | undefined> => {
    const existing = await getTask(env, id);
    if (existing === null) return undefined;
    if (existing.requestHash !== requestHash) throw new RelayError('invalid_request', 409, 'Idempotency-Key was already used for a different request', { code: 'idempotency_key_reused' });
    return { task: existing, replayed: true };
  };
  if (idempotencyKey !== null) {
    const replayed = await replay();
    if (replayed !== undefined) return replayed;
  }
  const chargeMicros = await imagePriceMicros(env, validated.model);
  const debited = isDebited(key.billing, chargeMicros);
  if (chargeMicros > 0 && key.monthlySpendCapMicros !== null) await assertCanSpendPrice(env, key, chargeMicros + (await inflightChargeMicros(env, key.id)), now);
  if (debited) {
    const balance = await accountBalanceMicros(env, key.accountId);
    if ((balance ?? 0) < chargeMicros) throw insufficientBalance(chargeMicros);
  }
  const admission = await admitRequest(env, key, now);
  const giveBack = () => refundRequest(env, key, admission, Date.now());
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
    charged: debited,
    result: null,
    error: null,
    fileOrigin: input.origin,
    requestHash,
    webhook: validated.request.webhookUrl === null ? null : { url: validated.request.webhookUrl, state: 'pending', attempts: [] },
  };
  try {
    if (!(await insertTaskRow(env, task, taskLeaseOf(key, admission).leaseId))) {
      // A racing submit with the same Idempotency-Key won: that task is the answer, this admission is not needed.
      await giveBack();
      const replayed = await replay();
      if (replayed !== undefined) return replayed;
      throw new RelayError('overloaded', 503, 'the same Idempotency-Key is being submitted concurrently; retry', { retryAfterSeconds: 1 });
    }
    await putTask(env, task);
    // Before the charge and the queue: an attempt must find the files of a task it can see.
    if (validated.files !== undefined) await putTaskInputs(env, id, validated.files);
  } catch (error) {
    await giveBack();
    throw error;
  }
  if (debited) {
    const outcome = await chargeTask(env, task, now);
    if (outcome !== 'applied' && outcome !== 'duplicate') {
      await Promise.all([deleteTaskRow(env, id), deleteTask(env, id), deleteTaskInputs(env, id, task.request.uploads), giveBack()]);
      throw insufficientBalance(chargeMicros);
    }
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
