import type { Env } from '../../env';
import { imageQueueMessageSchema } from './messages';
import { runGenerationAttempt } from './run-attempt';
import { deliverWebhook } from './webhook';

/** When processing itself throws (KV or D1 unavailable), the message comes back after this delay. */
const CRASH_RETRY_SECONDS = 30;

/**
 * Consumer for the polyrelay-images queue. Each message is acked or retried on its own; the
 * messages of a batch run concurrently since each is mostly waiting on an upstream.
 */
export const consumeImageBatch = async (batch: MessageBatch<unknown>, env: Env): Promise<void> => {
  await Promise.all(
    batch.messages.map(async (message) => {
      const parsed = imageQueueMessageSchema.safeParse(message.body);
      if (!parsed.success) {
        console.error(JSON.stringify({ message: 'dropping malformed images queue message', id: message.id }));
        message.ack();
        return;
      }
      try {
        const outcome =
          parsed.data.kind === 'generate' ? await runGenerationAttempt(env, parsed.data.taskId) : await deliverWebhook(env, parsed.data.taskId, message.attempts);
        if (outcome.kind === 'retry') message.retry({ delaySeconds: outcome.delaySeconds });
        else message.ack();
      } catch (error) {
        console.error(JSON.stringify({ message: 'images queue message failed', kind: parsed.data.kind, taskId: parsed.data.taskId, error: String(error) }));
        message.retry({ delaySeconds: CRASH_RETRY_SECONDS });
      }
    }),
  );
};
