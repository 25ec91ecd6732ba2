import { buildApp } from './app';
import type { Env } from './env';
import { consumeImageBatch } from './images/queue/consumer';
import { sweepStuckTasks } from './images/queue/sweep';
import { consumeUsageBatch, foldPendingUsage } from './usage/consumer';
import { consumeUsageDeadLetters } from './usage/dead-letters';
import type { UsageEvent } from './usage/event';
import { pruneUsageEvents } from './usage/retention';
import { replaySpilledUsage } from './usage/usage-fallback';

export { QuotaLimiter } from './quota/quota-limiter';
export { UpstreamStateOwners } from './conversations/upstream-state-owners';
export { AccountBalance } from './usage/account-balance';

const app = buildApp();

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    if (batch.queue === 'polyrelay-usage') return consumeUsageBatch(batch as MessageBatch<UsageEvent>, env);
    if (batch.queue === 'polyrelay-usage-dlq') return consumeUsageDeadLetters(batch as MessageBatch<UsageEvent>, env);
    if (batch.queue === 'polyrelay-images') return consumeImageBatch(batch, env);
    // A queue without a consumer here (a misconfigured binding): retried, then dead-lettered, never dropped.
    batch.retryAll();
  },
  async scheduled(controller, env, ctx) {
    // The every-minute trigger runs the usage fold's backstop and then the archive sweep alone (one sweep at a
    // time; it moves only folded events); the rest keeps its 5-minute pace.
    if (controller.cron === '* * * * *') {
      return ctx.waitUntil(foldPendingUsage(env, controller.scheduledTime).then(() => pruneUsageEvents(env, controller.scheduledTime)));
    }
    ctx.waitUntil(sweepStuckTasks(env, controller.scheduledTime));
    ctx.waitUntil(replaySpilledUsage(env));
  },
} satisfies ExportedHandler<Env>;
