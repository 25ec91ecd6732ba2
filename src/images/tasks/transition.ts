import type { Env } from '../../env';
import { ledgerEntryId, ledgerReference } from '../../usage/ledger';
import { putTask } from './task-store';
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

/** What a move writes besides the status. Absent fields are left as they are. */
export interface TransitionChanges {
  attempts?: number;
  providerId?: string;
  upstreamModel?: string;
  result?: { urls: string[] };
  error?: TaskError | null;
  now: number;
}

/**
 * A task to move: its KV copy (rewritten after the move), or only the identity and status its D1
 * row holds, when the KV copy expired or never landed.
 */
export type MovableTask = ImageTask | Pick<ImageTask, 'id' | 'accountId' | 'status'>;

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
 * The move to failed or cancelled, with its refund in the same D1 transaction (kind refund, the
 * charge row's own amount back) written only if this move happened: the refund is tied to the one
 * transition that can win, so it cannot follow a completion and cannot happen twice.
 */
const moveWithRefund = async (env: Env, task: MovableTask, to: TaskStatus, changes: TransitionChanges): Promise<boolean> => {
  const reference = ledgerReference('image', task.accountId, task.id);
  const refundId = ledgerEntryId('refund', reference);
  const [moved] = await env.DB.batch([
    casStatement(env, task.id, task.status, to, changes),
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

/** A completion is refused also when a refund for the task exists, so a delivered result and a refund can never both stand. */
const move = async (env: Env, task: MovableTask, to: TaskStatus, changes: TransitionChanges): Promise<boolean> => {
  if (to === 'failed' || to === 'cancelled') return moveWithRefund(env, task, to, changes);
  const unlessRefunded = to === 'completed' ? ledgerReference('image', task.accountId, task.id) : null;
  const result = await casStatement(env, task.id, task.status, to, changes, unlessRefunded).run();
  return result.meta.changes === 1;
};

const isKvCopy = (task: MovableTask): task is ImageTask => 'request' in task;

/** The task after a move: the status and the written fields, as the D1 row now holds them. */
const moved = <T extends MovableTask>(task: T, to: TaskStatus, changes: TransitionChanges): T => {
  if (!isKvCopy(task)) return { ...task, status: to };
  const next: ImageTask = { ...task, status: to, updatedAt: changes.now };
  if (changes.attempts !== undefined) next.attempts = changes.attempts;
  if (changes.providerId !== undefined) next.providerId = changes.providerId;
  if (changes.upstreamModel !== undefined) next.upstreamModel = changes.upstreamModel;
  if (changes.result !== undefined) next.result = changes.result;
  if (changes.error !== undefined) next.error = changes.error;
  return next as T;
};

/**
 * The only way a task's status changes: moves the task from its current status (`task.status`) to
 * `to` if, and only if, the D1 row is still in that status, then rewrites the KV copy. Returns the
 * moved task, or null when another writer moved it first (nothing is written then). A move to
 * failed or cancelled refunds the charge in the same transaction; a move to completed is refused
 * once a refund exists. An illegal move throws IllegalTransitionError before anything is written.
 */
export const transition = async <T extends MovableTask>(env: Env, task: T, to: TaskStatus, changes: TransitionChanges): Promise<T | null> => {
  if (!ALLOWED_TRANSITIONS[task.status].includes(to)) throw new IllegalTransitionError(`an image task cannot move from ${task.status} to ${to}`);
  if (!(await move(env, task, to, changes))) return null;
  const next = moved(task, to, changes);
  if (isKvCopy(next)) await putTask(env, next);
  return next;
};
