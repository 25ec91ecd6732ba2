import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppEnv } from '../../env';
import { getTask } from '../tasks/task-store';
import { isTerminal, taskView, type ImageTask } from '../tasks/task';

const POLL_MS = 1_000;
/** Long enough for any task (the sweep ends stuck ones after 15 minutes); clients reconnect after. */
const MAX_STREAM_MS = 20 * 60 * 1000;

/**
 * GET /v1/tasks/{id}/events: one `status` event with the task JSON now, then one per change (status
 * or attempt), closing after the terminal one. KV has no change feed, so the stream polls.
 */
export const streamTaskEvents = (c: Context<AppEnv>, task: ImageTask): Response =>
  streamSSE(c, async (stream) => {
    const deadline = Date.now() + MAX_STREAM_MS;
    let current = task;
    let last = '';
    for (;;) {
      const signature = `${current.status}:${current.attempts}`;
      if (signature !== last) {
        await stream.writeSSE({ event: 'status', id: String(current.updatedAt), data: JSON.stringify(taskView(current)) });
        last = signature;
      }
      if (isTerminal(current.status) || stream.aborted || Date.now() >= deadline) return;
      await stream.sleep(POLL_MS);
      current = (await getTask(c.env, task.id)) ?? current;
    }
  });
