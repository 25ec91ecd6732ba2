import { env } from 'cloudflare:workers';
import { callRelay } from '../setup/seed';

/** What D1 and /v1/usage say about the session's requests, read the way an operator and a user would. */
export interface UsageRow {
  request_id: string;
  key_id: string;
  model: string;
  status: number;
  client_format: string;
}

/** The usage rows of these request ids (90 per statement: D1 binds at most 100 parameters). */
export const usageRowsOf = async (requestIds: readonly string[]): Promise<Map<string, UsageRow>> => {
  const found = new Map<string, UsageRow>();
  for (let i = 0; i < requestIds.length; i += 90) {
    const ids = requestIds.slice(i, i + 90);
    const result = await env.DB.prepare(`SELECT request_id, key_id, model, status, client_format FROM usage_events WHERE request_id IN (${ids.map(() => '?').join(',')})`)
      .bind(...ids)
      .all<UsageRow>();
    for (const row of result.results) found.set(row.request_id, row);
  }
  return found;
};

export interface Totals {
  requests: number;
  input: number;
  output: number;
}

/** One key's totals three ways: its raw rows, its daily rollup, and its own GET /v1/usage. */
export const keyTotals = async (keyId: string, key: string): Promise<{ events: Totals | null; rollup: Totals | null; summary: Totals }> => {
  const [events, rollup, response] = await Promise.all([
    env.DB.prepare('SELECT COUNT(*) AS requests, COALESCE(SUM(input_tokens), 0) AS input, COALESCE(SUM(output_tokens), 0) AS output FROM usage_events WHERE key_id = ?1')
      .bind(keyId)
      .first<Totals>(),
    env.DB.prepare('SELECT COALESCE(SUM(requests), 0) AS requests, COALESCE(SUM(input_tokens), 0) AS input, COALESCE(SUM(output_tokens), 0) AS output FROM usage_daily WHERE key_id = ?1')
      .bind(keyId)
      .first<Totals>(),
    callRelay('/v1/usage?days=1', { headers: { authorization: `Bearer ${key}` } }),
  ]);
  const summary = (await response.json()) as { totalRequests: number; totalInputTokens: number; totalOutputTokens: number };
  return { events, rollup, summary: { requests: summary.totalRequests, input: summary.totalInputTokens, output: summary.totalOutputTokens } };
};
