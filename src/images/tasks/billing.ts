import type { Env } from '../../env';
import { applyLedgerEntry, type LedgerOutcome } from '../../usage/ledger';
import type { ImageTask } from './task';

/** The per-image price of a public model in micro-dollars; 0 when no price is set. */
export const imagePriceMicros = async (env: Env, model: string): Promise<number> => {
  const row = await env.DB.prepare('SELECT per_image_micros FROM model_prices WHERE model = ?1').bind(model).first<{ per_image_micros: number }>();
  return row?.per_image_micros ?? 0;
};

/** Whether a task's price goes through the ledger: prepaid keys with a non-zero price. */
export const isDebited = (billing: ImageTask['billing'], chargeMicros: number): boolean => billing === 'prepaid' && chargeMicros > 0;

/**
 * Debits the task up front (kind charge, reference image:{account}:{task id}, refused below zero).
 * "duplicate" (the same charge already written by a retried or racing submit of the same task) is a
 * success; "conflict" is not. The refund is written with the task's terminal move
 * (task-transition.ts transitionWithRefund), never on its own.
 */
export const chargeTask = (env: Env, task: ImageTask, now: number): Promise<LedgerOutcome> =>
  applyLedgerEntry(env, { accountId: task.accountId, kind: 'charge', source: 'image', amountMicros: -task.chargeMicros, reference: task.id, requireFunds: true, now });
