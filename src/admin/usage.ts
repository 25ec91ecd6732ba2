import { Hono } from 'hono';
import * as z from 'zod/mini';
import type { AppEnv } from '../env';
import { replayDeadLetters } from '../usage/dead-letters';
import { cursorAfter, decodeCursor, encodeCursor, usageEventPage, usageEventView } from '../usage/usage-events';
import { daysInOrder, parseQuery, usageFilterObject, type UsageFilter } from '../usage/usage-filter';
import { GROUP_FIELDS, usageReport, type GroupField } from '../usage/usage-report';
import { usageCsvExport } from './services/usage-export';

const groupBySchema = z.pipe(
  z._default(z.string(), 'day,model'),
  z.transform((value: string, context): GroupField[] => {
    const fields = value === '' ? [] : value.split(',').map((field) => field.trim());
    const unknown = fields.filter((field) => !(GROUP_FIELDS as readonly string[]).includes(field));
    if (unknown.length > 0) {
      context.issues.push({ code: 'custom', message: `unknown field(s) ${unknown.join(', ')}; use ${GROUP_FIELDS.join(', ')}`, input: value });
      return z.NEVER;
    }
    return GROUP_FIELDS.filter((field) => fields.includes(field));
  }),
);

const reportQuery = z.extend(usageFilterObject, { groupBy: groupBySchema }).check(z.refine(...daysInOrder));
const eventsQuery = z
  .extend(usageFilterObject, {
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
    cursor: z.optional(z.string().check(z.minLength(1))),
  })
  .check(z.refine(...daysInOrder));

const filterOf = (query: UsageFilter): UsageFilter => ({
  keyId: query.keyId,
  accountId: query.accountId,
  model: query.model,
  from: query.from,
  to: query.to,
});

/**
 * /admin/usage: `GET /` totals from the daily rollup grouped by day/key/account/model;
 * `GET /events` raw events, oldest first, keyset-paginated with `cursor`; `GET /dead-letters` events
 * that exhausted their retries; `POST /dead-letters/replay` writes up to 100 of them again.
 */
export const usageAdminRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const query = parseQuery(c.req.query(), reportQuery);
    return c.json(await usageReport(c.env, filterOf(query), query.groupBy));
  })
  .get('/events', async (c) => {
    const query = parseQuery(c.req.query(), eventsQuery);
    const rows = await usageEventPage(c.env, filterOf(query), query.cursor === undefined ? null : decodeCursor(query.cursor), query.limit);
    const next = rows.length === query.limit ? cursorAfter(rows) : null;
    return c.json({ object: 'list', data: rows.map(usageEventView), nextCursor: next === null ? null : encodeCursor(next) });
  })
  .get('/dead-letters', async (c) => {
    const rows = await c.env.DB.prepare('SELECT * FROM usage_dead_letters ORDER BY received_at, message_id LIMIT 100').all();
    return c.json({ object: 'list', data: rows.results });
  })
  .post('/dead-letters/replay', async (c) => c.json(await replayDeadLetters(c.env, 100)));

/** GET /admin/usage.csv: every matching raw event as RFC 4180 CSV (services/usage-export.ts). */
export const usageCsvRoutes = new Hono<AppEnv>().get('/usage.csv', (c) => usageCsvExport(c.env, c.req.query()));
