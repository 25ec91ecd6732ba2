import type { Env } from '../../env';
import { emptyUsage } from '../../ir/usage';
import type { UsageEvent } from '../../usage/event';
import type { ImageTask } from './task';

/** The HTTP-like status a terminal task is reported with in usage: 499 (client closed) for a cancel. */
const terminalStatus = (task: ImageTask): number => {
  if (task.status === 'completed') return 200;
  if (task.status === 'cancelled') return 499;
  switch (task.error?.code) {
    case 'timeout':
      return 504;
    case 'queue_unavailable':
      return 503;
    case 'model_not_found':
      return 404;
    case 'invalid_input':
    case 'content_blocked':
      return 400;
    default:
      return 502;
  }
};

/**
 * The one usage event of a terminal task. Its request id is the task id, so every writer that ends
 * the same task queues the same event and the consumer stores it once. The money already moved
 * through the ledger (charge at submit, refund on failure), so the event carries the cost and is
 * `ledgerSettled`: only a completed task costs its price.
 */
export const taskUsageEvent = (task: ImageTask): UsageEvent => ({
  requestId: task.id,
  accountId: task.accountId,
  keyId: task.keyId,
  billing: task.billing,
  model: task.model,
  providerId: task.providerId ?? null,
  upstreamModel: task.upstreamModel ?? null,
  clientFormat: 'openai-images',
  upstreamFormat: null,
  status: terminalStatus(task),
  errorType: task.status === 'completed' ? null : (task.error?.code ?? task.status),
  stream: false,
  aborted: false,
  usage: emptyUsage(),
  latencyMs: Math.max(0, task.updatedAt - task.createdAt),
  ttfbMs: null,
  createdAt: task.createdAt,
  costMicros: task.status === 'completed' ? task.chargeMicros : 0,
  ledgerSettled: true,
});

/**
 * Sends the event straight to USAGE_QUEUE (awaited, one retry): terminal transitions also run in
 * queue consumers and crons, which have no request context for the per-isolate batcher. A send that
 * still fails is logged, not thrown, so the webhook announcement that follows is not lost with it.
 */
export const recordTaskUsage = async (env: Env, task: ImageTask): Promise<void> => {
  const event = taskUsageEvent(task);
  try {
    await env.USAGE_QUEUE.send(event).catch(() => env.USAGE_QUEUE.send(event));
  } catch (error) {
    console.error(JSON.stringify({ message: 'image task usage event could not be queued', taskId: task.id, error: String(error) }));
  }
};
