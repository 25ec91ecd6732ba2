import type { AuthenticatedKey } from '../auth/key-record';
import type { QuotaVerdict } from '../quota/verdict';
import type { WindowView } from '../quota/windows';
import type { BudgetAlert } from './alert-payload';
import { QUOTA_THRESHOLDS, thresholdsCrossedAt } from './thresholds';

/**
 * The 80 / 100 % marks of the key's 5-hour and weekly windows that this admission crossed. Pure
 * arithmetic on the verdict, so the request path pays nothing unless a mark was just crossed; the
 * window's reset instant names the period, so the next window alerts again.
 */
export const quotaAlertsFor = (key: AuthenticatedKey, verdict: QuotaVerdict, now: number): BudgetAlert[] => {
  if (!verdict.allowed) return [];
  const windows: Array<['5h' | 'week', WindowView]> = [
    ['5h', verdict.fiveHour],
    ['week', verdict.week],
  ];
  return windows.flatMap(([window, view]) => {
    const { limit } = view;
    if (limit === null || !view.open) return [];
    return thresholdsCrossedAt(view.used, limit, QUOTA_THRESHOLDS).map(
      (threshold): BudgetAlert => ({
        subject: { kind: 'key_quota', accountId: key.accountId, keyId: key.id, window },
        threshold,
        period: String(view.reset),
        used: view.used,
        limit,
        periodEnd: view.reset,
        now,
      }),
    );
  });
};
