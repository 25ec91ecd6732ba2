import { chunksOf, D1_MAX_BOUND_PARAMETERS } from '../db/d1-limits';
import type { Env } from '../env';
import { alertIdOf, alertPayload, subjectKey, type BudgetAlert } from './alert-payload';
import { deliverAlert } from './deliver-alert';

interface Claimed {
  alert: BudgetAlert;
  alertId: string;
  body: string;
  url: string;
}

const alertUrls = async (env: Env, accountIds: string[]): Promise<Map<string, string>> => {
  const statements = chunksOf(accountIds, D1_MAX_BOUND_PARAMETERS).map((chunk) =>
    env.DB.prepare(`SELECT id, alert_webhook_url AS url FROM accounts WHERE alert_webhook_url IS NOT NULL AND id IN (${chunk.map(() => '?').join(', ')})`).bind(...chunk),
  );
  const results = await env.DB.batch<{ id: string; url: string }>(statements);
  return new Map(results.flatMap((result) => result.results.map((row) => [row.id, row.url] as const)));
};

/**
 * Raises the alerts whose account has an alert URL: each is claimed by inserting its
 * (subject, threshold, period) row, and only the insert that created the row delivers, so an alert
 * goes out once per period however many isolates or redelivered batches see the same crossing.
 */
export const raiseAlerts = async (env: Env, alerts: readonly BudgetAlert[]): Promise<void> => {
  if (alerts.length === 0) return;
  const urls = await alertUrls(env, [...new Set(alerts.map((alert) => alert.subject.accountId))]);
  const candidates = await Promise.all(
    alerts.flatMap((alert) => {
      const url = urls.get(alert.subject.accountId);
      if (url === undefined) return [];
      return [alertIdOf(alert).then((alertId) => ({ alert, alertId, url, body: JSON.stringify(alertPayload(alert, alertId)) }))];
    }),
  );
  if (candidates.length === 0) return;
  const inserted = await env.DB.batch<{ subject: string }>(
    candidates.map(({ alert, body }) =>
      env.DB.prepare(
        `INSERT INTO budget_alerts (subject, threshold, period, account_id, payload, state, attempts, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6) ON CONFLICT DO NOTHING RETURNING subject`,
      ).bind(subjectKey(alert.subject), alert.threshold, alert.period, alert.subject.accountId, body, alert.now),
    ),
  );
  const claimed: Claimed[] = candidates.filter((_, index) => (inserted[index]?.results.length ?? 0) > 0);
  await Promise.all(claimed.map((entry) => deliverAndRecord(env, entry)));
};

const deliverAndRecord = async (env: Env, { alert, alertId, body, url }: Claimed): Promise<void> => {
  const delivery = await deliverAlert(env, alert.subject.accountId, url, alertId, body);
  if (delivery.state === 'failed') console.warn(JSON.stringify({ message: 'budget alert not delivered', alertId, accountId: alert.subject.accountId, error: delivery.error }));
  await env.DB.prepare('UPDATE budget_alerts SET state = ?1, attempts = ?2, last_error = ?3 WHERE subject = ?4 AND threshold = ?5 AND period = ?6')
    .bind(delivery.state, delivery.attempts, delivery.error, subjectKey(alert.subject), alert.threshold, alert.period)
    .run();
};

/** Fire-and-forget for callers on a request or consumer path: failures are logged, never thrown. */
export const raiseAlertsLater = (waitUntil: (promise: Promise<unknown>) => void, env: Env, alerts: readonly BudgetAlert[]): void => {
  if (alerts.length === 0) return;
  waitUntil(raiseAlerts(env, alerts).catch((error: unknown) => console.error(JSON.stringify({ message: 'budget alerts failed', error: String(error) }))));
};
