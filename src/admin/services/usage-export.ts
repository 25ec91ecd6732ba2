import type { Env } from '../../env';
import { usageCsvStream } from '../../usage/csv';
import { dayOf } from '../../usage/days';
import { parseQuery, usageFilterSchema } from '../../usage/usage-filter';

/**
 * Every raw usage event matching the query (keyId, accountId, model, from, to) as an RFC 4180 CSV
 * download, streamed page by page. A bad filter is a 400 naming the parameter, before any byte.
 */
export const usageCsvExport = (env: Env, query: Record<string, string>): Response => {
  const filter = parseQuery(query, usageFilterSchema);
  const name = `usage-${filter.from ?? 'all'}-${filter.to ?? dayOf(Date.now())}.csv`;
  return new Response(usageCsvStream(env, filter), {
    headers: {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
    },
  });
};
