import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { basePathOf, publicPath } from '../base-path';
import type { Env } from '../env';
import { enqueueImageMessage } from '../images/queue/messages';
import { getTask } from '../images/tasks/task-store';
import { isTerminal, taskView, type ImageTask, type TaskStatus } from '../images/tasks/task';
import { readForm, textField } from './form';
import { flashOf, formatIso, Layout, Pill, PostForm, withFlash } from './layout';
import type { DashboardEnv } from './session';

/** The images feature's KV prefix for task records (src/images/task-store.ts documents the layout). */
const TASK_PREFIX = 'task:';
const LIST_LIMIT = 100;

/** Up to LIST_LIMIT tasks, newest first. KV lists keys in name order (random ids), so this is a sample once there are more. */
const recentTasks = async (env: Env): Promise<{ tasks: ImageTask[]; more: boolean }> => {
  const page = await env.TASKS.list({ prefix: TASK_PREFIX, limit: LIST_LIMIT });
  const tasks = await Promise.all(page.keys.map((key) => getTask(env, key.name.slice(TASK_PREFIX.length))));
  return { tasks: tasks.filter((task): task is ImageTask => task !== null).sort((a, b) => b.createdAt - a.createdAt), more: !page.list_complete };
};

const STATUS_TONE: Readonly<Record<TaskStatus, 'good' | 'bad' | 'warn' | undefined>> = {
  pending: undefined,
  running: 'warn',
  completed: 'good',
  failed: 'bad',
  cancelled: undefined,
};

/** A dead-lettered webhook of a finished task may be sent again: one fresh delivery cycle through the images queue. */
const canRetryWebhook = (task: ImageTask): boolean => isTerminal(task.status) && task.webhook?.state === 'dead_lettered';

const TaskRow: FC<{ task: ImageTask; csrfToken: string; base: string }> = ({ task, csrfToken, base }) => {
  const view = taskView(task);
  return (
    <tr data-task-id={task.id}>
      <td>
        <code class="small">{task.id}</code>
        <div class="small muted">
          {task.accountId} · {task.keyId}
        </div>
      </td>
      <td>
        <Pill tone={STATUS_TONE[task.status]}>{task.status}</Pill>
        {task.error ? <div class="small muted">{`${task.error.code}: ${task.error.message}`}</div> : null}
      </td>
      <td>{task.model}</td>
      <td class="small">
        {formatIso(view.created_at)}
        <div class="muted">updated {formatIso(view.updated_at)}</div>
      </td>
      <td class="num">{task.attempts}</td>
      <td class="num">${view.charge}</td>
      <td class="small">
        {(task.result?.urls ?? []).map((url, index) => (
          <a href={url}>image {index + 1}</a>
        ))}
      </td>
      <td class="small">
        {task.webhook === null ? (
          <span class="muted">none</span>
        ) : (
          <>
            {task.webhook.state} ({task.webhook.attempts.length} attempt(s))
            {canRetryWebhook(task) ? (
              <PostForm action={`${base}/dashboard/images/retry-webhook`} token={csrfToken} inline>
                <input type="hidden" name="taskId" value={task.id} />{' '}
                <button type="submit" class="secondary">
                  Retry webhook
                </button>
              </PostForm>
            ) : null}
          </>
        )}
      </td>
    </tr>
  );
};

/** /dashboard/images: image tasks from KV (status, attempts, charge, results, webhook deliveries). */
export const imagePages = new Hono<DashboardEnv>()
  .get('/', async (c) => {
    const lookup = c.req.query('id')?.trim();
    const found = lookup ? await getTask(c.env, lookup) : null;
    const { tasks, more } = lookup ? { tasks: found === null ? [] : [found], more: false } : await recentTasks(c.env);
    const flash = lookup && found === null ? { kind: 'error' as const, message: `task "${lookup}" not found (tasks are kept 7 days)` } : flashOf(c);
    return c.html(
      <Layout base={basePathOf(c.env)} title="Image tasks" active="/dashboard/images" csrfToken={c.var.csrfToken} flash={flash}>
        <form method="get" action={publicPath(c.env, '/dashboard/images')} class="card">
          <div class="grid">
            <label>
              Task id
              <input name="id" value={lookup ?? ''} placeholder="media_…" />
            </label>
            <div>
              <button type="submit">Look up</button> {lookup ? <a href={publicPath(c.env, '/dashboard/images')}>all tasks</a> : null}
            </div>
          </div>
        </form>
        <table>
          <thead>
            <tr>
              <th>Task</th>
              <th>Status</th>
              <th>Model</th>
              <th>Created</th>
              <th class="num">Attempts</th>
              <th class="num">Charge</th>
              <th>Result</th>
              <th>Webhook</th>
            </tr>
          </thead>
          <tbody>
            {tasks.length === 0 ? (
              <tr>
                <td colspan={8} class="muted">
                  No image tasks.
                </td>
              </tr>
            ) : null}
            {tasks.map((task) => (
              <TaskRow task={task} csrfToken={c.var.csrfToken} base={basePathOf(c.env)} />
            ))}
          </tbody>
        </table>
        {more ? <p class="small muted">Showing {LIST_LIMIT} tasks; look one up by id to see any other.</p> : null}
      </Layout>,
    );
  })
  .post('/retry-webhook', async (c) => {
    const taskId = textField(await readForm(c), 'taskId') ?? '';
    const task = await getTask(c.env, taskId);
    if (task === null || !canRetryWebhook(task)) {
      return c.redirect(withFlash(publicPath(c.env, '/dashboard/images'), { kind: 'error', message: `task "${taskId}" has no dead-lettered webhook to retry` }), 303);
    }
    await enqueueImageMessage(c.env, { kind: 'webhook', taskId });
    return c.redirect(withFlash(publicPath(c.env, `/dashboard/images?id=${encodeURIComponent(taskId)}`), { kind: 'ok', message: 'Webhook delivery queued again.' }), 303);
  });
