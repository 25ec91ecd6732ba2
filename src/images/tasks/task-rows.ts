import type { Env } from '../../env';
import type { ImageTask, TaskStatus } from './task';

/**
 * The D1 rows of image tasks (`image_tasks`): the strongly consistent home of a task's status,
 * attempts, result and error. Rows are created and removed here; they move only through
 * transition.ts.
 */
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
