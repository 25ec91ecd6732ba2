import { buildApp } from './app';
import type { Env } from './env';
import { consumeUsageBatch } from './usage/consumer';
import type { UsageEvent } from './usage/event';
import { pruneUsageEvents } from './usage/retention';

export { QuotaLimiter } from './quota/quota-limiter';

const app = buildApp();

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    if (batch.queue === 'polyrelay-usage') return consumeUsageBatch(batch as MessageBatch<UsageEvent>, env);
    // Image tasks arrive with the images feature; until then a message on that queue is retried, never lost.
    batch.retryAll();
  },
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(pruneUsageEvents(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
