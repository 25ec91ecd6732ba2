import * as z from 'zod/mini';
import type { Env } from '../../env';

/** The two message kinds on the polyrelay-images queue; both carry only the task id (state lives in KV). */
export const imageQueueMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('generate'), taskId: z.string() }),
  z.object({ kind: z.literal('webhook'), taskId: z.string() }),
]);
export type ImageQueueMessage = z.infer<typeof imageQueueMessageSchema>;

export const enqueueImageMessage = async (env: Env, message: ImageQueueMessage, delaySeconds?: number): Promise<void> => {
  await env.IMAGE_QUEUE.send(message, delaySeconds === undefined ? undefined : { delaySeconds });
};

/** Exponential backoff in seconds: base, 2·base, 4·base … capped. */
export const backoffSeconds = (attempt: number, baseSeconds: number, capSeconds: number): number =>
  Math.min(capSeconds, baseSeconds * 2 ** Math.max(0, attempt - 1));
