import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppEnv } from '../../env';
import { getTask } from '../tasks/task-store';
import { holdTaskEventStream } from './poll-limit';
import { isTerminal, taskView, type ImageTask } from '../tasks/task';

const POLL_MS = 1_000;
/** Long enough for any task (the sweep ends stuck ones after 15 minutes); clients reconnect after. */
const MAX_STREAM_MS = 20 * 60 * 1000;

/**
 * GET /v1/tasks/{id}/events: one `status` event with the task JSON now, then one per change (status
 * or attempt), closing after the terminal one. KV has no change feed, so the stream polls; the
 * stream holds one of the key's event-stream slots (poll-limit.ts) until it ends, and a key with
 * every slot taken gets a 429 before any byte.
 */
export const streamTaskEvents = async (c: Context<AppEnv>, task: ImageTask): Promise<Response> => {
  const release = await holdTaskEventStream(c.env, c.var.apiKey, Date.now());
  return streamSSE(c, async (stream) => {
    try {
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
    } finally {
      await release();
    }
  });
};
