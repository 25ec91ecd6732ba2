import type { Env } from '../env';
import { applyLedgerEntry, type LedgerOutcome } from '../usage/ledger';
import type { ImageTask } from './task';

/** The per-image price of a public model in micro-dollars; 0 when no price is set. */
export const imagePriceMicros = async (env: Env, model: string): Promise<number> => {
  const row = await env.DB.prepare('SELECT per_image_micros FROM model_prices WHERE model = ?1').bind(model).first<{ per_image_micros: number }>();
  return row?.per_image_micros ?? 0;
};

/** Whether a task's price goes through the ledger: prepaid keys with a non-zero price. */
export const isDebited = (billing: ImageTask['billing'], chargeMicros: number): boolean => billing === 'prepaid' && chargeMicros > 0;

/**
 * Debits the task up front (kind charge, reference = task id, refused below zero). "duplicate" is a
 * success: a retried or racing submit of the same task was already charged once.
 */
export const chargeTask = (env: Env, task: ImageTask, now: number): Promise<LedgerOutcome> =>
  applyLedgerEntry(env, { accountId: task.accountId, kind: 'charge', amountMicros: -task.chargeMicros, reference: task.id, requireFunds: true, now });

/** Gives the charge back; the ledger's (kind, reference) uniqueness makes this exactly once however often it runs. */
export const refundTask = async (env: Env, task: ImageTask, now: number): Promise<void> => {
  if (!task.charged) return;
  await applyLedgerEntry(env, { accountId: task.accountId, kind: 'refund', amountMicros: task.chargeMicros, reference: task.id, now });
};
