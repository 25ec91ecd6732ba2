/** What an alert is about. */
export type AlertSubject =
  | { kind: 'account_spend'; accountId: string }
  | { kind: 'key_spend'; accountId: string; keyId: string }
  | { kind: 'key_quota'; accountId: string; keyId: string; window: '5h' | 'week' };

export interface BudgetAlert {
  subject: AlertSubject;
  threshold: number;
  /** `YYYY-MM` for spend; the window's reset instant (epoch ms) for a quota window. */
  period: string;
  /** Micro-dollars spent, or requests used. */
  used: number;
  /** The budget or cap in micro-dollars, or the window's request limit. */
  limit: number;
  /** Epoch ms the period ends (month end, window reset). */
  periodEnd: number;
  now: number;
}

export const subjectKey = (subject: AlertSubject): string => {
  switch (subject.kind) {
    case 'account_spend':
      return `account_spend:${subject.accountId}`;
    case 'key_spend':
      return `key_spend:${subject.keyId}`;
    case 'key_quota':
      return `key_${subject.window}:${subject.keyId}`;
  }
};

/** A stable id per (subject, threshold, period): a redelivered alert carries the same one, so receivers dedupe on it. */
export const alertIdOf = async (alert: Pick<BudgetAlert, 'subject' | 'threshold' | 'period'>): Promise<string> => {
  const text = `${subjectKey(alert.subject)}\n${alert.threshold}\n${alert.period}`;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return `alert_${Array.from(digest.slice(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
};

const money = (micros: number): string => (micros / 1_000_000).toFixed(2);

/** The webhook body: snake_case like the task webhooks, money as dollar strings beside the exact micro-dollars. */
export const alertPayload = (alert: BudgetAlert, alertId: string) => {
  const { subject } = alert;
  const base = {
    type: 'budget.threshold_crossed',
    alert_id: alertId,
    account_id: subject.accountId,
    key_id: subject.kind === 'account_spend' ? null : subject.keyId,
    threshold_percent: alert.threshold,
    period: alert.period,
    period_ends_at: new Date(alert.periodEnd).toISOString(),
    created_at: new Date(alert.now).toISOString(),
  };
  if (subject.kind === 'key_quota') {
    return { ...base, subject: `key_quota_${subject.window}`, requests_used: alert.used, requests_limit: alert.limit };
  }
  return { ...base, subject: subject.kind, spent: money(alert.used), spent_micros: alert.used, limit: money(alert.limit), limit_micros: alert.limit };
};
