import type { Env } from '../env';
import { ledgerEntryId, ledgerReference } from '../usage/ledger';
import type { ImageTask, TaskError, TaskStatus } from './task';

/**
 * Every move a task may make, in one place. KV has no compare-and-set, so the status lives in a D1
 * row (`image_tasks`) and each move is one `UPDATE ... WHERE status = from`: of two racing writers
 * (a cancel and a completion, a sweep and a consumer) exactly one moves the task, and the other
 * learns it lost. running → pending is a retry waiting in the queue.
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: ['running', 'cancelled', 'failed'],
  running: ['pending', 'completed', 'failed'],
  completed: [],
  failed: [],
  cancelled: [],
};

export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
}

const assertAllowed = (from: TaskStatus, to: TaskStatus): void => {
  if (!ALLOWED_TRANSITIONS[from].includes(to)) throw new IllegalTransitionError(`an image task cannot move from ${from} to ${to}`);
};

/** What a move writes besides the status. Absent fields are left as they are. */
export interface TransitionChanges {
  attempts?: number;
  providerId?: string;
  upstreamModel?: string;
  result?: { urls: string[] };
  error?: TaskError | null;
  now: number;
}

export interface TaskRow {
  id: string;
  account_id: string;
  key_id: string;
  status: TaskStatus;
  attempts: number;
  charge_micros: number;
  lease_id: string | null;
  provider_id: string | null;
  upstream_model: string | null;
  result: string | null;
  error: string | null;
  updated_at: number;
}

export const readTaskRow = (env: Env, id: string): Promise<TaskRow | null> => env.DB.prepare('SELECT * FROM image_tasks WHERE id = ?1').bind(id).first<TaskRow>();

/** false when a row with this id exists already (a racing submit of the same Idempotency-Key). */
export const insertTaskRow = async (env: Env, task: ImageTask, leaseId: string | null): Promise<boolean> => {
  const result = await env.DB.prepare(
    `INSERT INTO image_tasks (id, account_id, key_id, status, attempts, charge_micros, lease_id, created_at, updated_at)
     VALUES (?1, ?2, ?3, 'pending', 0, ?4, ?5, ?6, ?6) ON CONFLICT DO NOTHING`,
  )
    .bind(task.id, task.accountId, task.keyId, task.chargeMicros, leaseId, task.createdAt)
    .run();
  return result.meta.changes === 1;
};

/** Removes a task that was never accepted (its charge was refused). */
export const deleteTaskRow = async (env: Env, id: string): Promise<void> => {
  await env.DB.prepare("DELETE FROM image_tasks WHERE id = ?1 AND status = 'pending' AND attempts = 0").bind(id).run();
};

/** `unlessRefunded`: a stored refund reference whose existence blocks the move. */
const casStatement = (env: Env, id: string, from: TaskStatus, to: TaskStatus, changes: TransitionChanges, unlessRefunded: string | null = null): D1PreparedStatement =>
  env.DB.prepare(
    `UPDATE image_tasks SET status = ?3, updated_at = ?4,
       attempts = COALESCE(?5, attempts), provider_id = COALESCE(?6, provider_id), upstream_model = COALESCE(?7, upstream_model),
       result = COALESCE(?8, result), error = CASE WHEN ?9 = 1 THEN ?10 ELSE error END
     WHERE id = ?1 AND status = ?2 AND (?11 IS NULL OR NOT EXISTS (SELECT 1 FROM ledger WHERE kind = 'refund' AND reference = ?11))`,
  ).bind(
    id,
    from,
    to,
    changes.now,
    changes.attempts ?? null,
    changes.providerId ?? null,
    changes.upstreamModel ?? null,
    changes.result === undefined ? null : JSON.stringify(changes.result),
    changes.error === undefined ? 0 : 1,
    changes.error === undefined || changes.error === null ? null : JSON.stringify(changes.error),
    unlessRefunded,
  );

/**
 * Moves a task from `from` to `to` if, and only if, it is still in `from`; true when this call moved
 * it. A completion is refused also when a refund for the task exists, so a delivered result and a
 * refund can never both stand.
 */
export const transition = async (env: Env, task: Pick<ImageTask, 'id' | 'accountId'>, from: TaskStatus, to: TaskStatus, changes: TransitionChanges): Promise<boolean> => {
  assertAllowed(from, to);
  const unlessRefunded = to === 'completed' ? ledgerReference('image', task.accountId, task.id) : null;
  const result = await casStatement(env, task.id, from, to, changes, unlessRefunded).run();
  return result.meta.changes === 1;
};

/**
 * Ends a task as failed or cancelled from `from`, and in the same D1 transaction refunds its charge
 * (kind refund, the charge row's own amount back) only if this move happened: the refund is tied to
 * the one transition that can win, so it cannot follow a completion and cannot happen twice.
 */
export const transitionWithRefund = async (
  env: Env,
  task: Pick<ImageTask, 'id' | 'accountId'>,
  from: TaskStatus,
  to: 'failed' | 'cancelled',
  changes: TransitionChanges,
): Promise<boolean> => {
  assertAllowed(from, to);
  const reference = ledgerReference('image', task.accountId, task.id);
  const refundId = ledgerEntryId('refund', reference);
  const [moved] = await env.DB.batch([
    casStatement(env, task.id, from, to, changes),
    env.DB.prepare(
      `INSERT INTO ledger (id, account_id, kind, amount_micros, reference, created_at)
       SELECT ?1, account_id, 'refund', -amount_micros, reference, ?3 FROM ledger WHERE id = ?2 AND account_id = ?4 AND changes() = 1
       ON CONFLICT DO NOTHING`,
    ).bind(refundId, ledgerEntryId('charge', reference), changes.now, task.accountId),
    env.DB.prepare(
      `UPDATE accounts SET balance_micros = balance_micros + (SELECT amount_micros FROM ledger WHERE id = ?1)
       WHERE id = ?2 AND changes() = 1`,
    ).bind(refundId, task.accountId),
  ]);
  return (moved?.meta.changes ?? 0) === 1;
};

/** Tasks still pending or running whose row has not moved since `before`, oldest first (for the sweep). */
export const staleTaskIds = async (env: Env, before: number, limit: number): Promise<string[]> => {
  const rows = await env.DB.prepare(
    "SELECT id FROM image_tasks WHERE status IN ('pending', 'running') AND updated_at < ?1 ORDER BY updated_at LIMIT ?2",
  )
    .bind(before, limit)
    .all<{ id: string }>();
  return rows.results.map((row) => row.id);
};

/** In-flight prices of a key's tasks, so a spend cap counts tasks not yet recorded as usage. */
export const inflightChargeMicros = async (env: Env, keyId: string): Promise<number> => {
  const row = await env.DB.prepare("SELECT COALESCE(SUM(charge_micros), 0) AS total FROM image_tasks WHERE key_id = ?1 AND status IN ('pending', 'running')")
    .bind(keyId)
    .first<{ total: number }>();
  return row?.total ?? 0;
};
