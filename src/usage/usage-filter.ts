import * as z from 'zod/mini';
import '../zod-locale';
import { invalidRequest } from '../errors';
import { dayStart, DAY_MS, isDay } from './days';

const day = z.string().check(z.refine(isDay, 'must be a calendar day, YYYY-MM-DD (UTC)'));

/** Admin usage filters, shared by the JSON query, the raw event list and the CSV export. Days are inclusive, UTC. */
export const usageFilterFields = {
  keyId: z.optional(z.string().check(z.minLength(1))),
  accountId: z.optional(z.string().check(z.minLength(1))),
  model: z.optional(z.string().check(z.minLength(1))),
  from: z.optional(day),
  to: z.optional(day),
};

export const usageFilterObject = z.strictObject(usageFilterFields);

/** Refinement shared by every usage query schema: `from` may not come after `to`. */
export const daysInOrder: [(query: { from?: string; to?: string }) => boolean, { message: string; path: PropertyKey[] }] = [
  (query) => query.from === undefined || query.to === undefined || query.from <= query.to,
  { message: 'must not be after to', path: ['from'] },
];

export const usageFilterSchema = usageFilterObject.check(z.refine(...daysInOrder));

export type UsageFilter = z.infer<typeof usageFilterSchema>;

/** Parses query parameters with a zod schema; the first issue becomes a 400 naming the parameter. */
export const parseQuery = <T extends z.ZodMiniType>(query: Record<string, string>, schema: T): z.infer<T> => {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = issue?.path.join('.') ?? '';
  const message = issue?.code === 'unrecognized_keys' ? `unknown query parameter(s): ${issue.keys.join(', ')}` : (issue?.message ?? 'invalid');
  throw invalidRequest(name === '' ? message : `${name}: ${message}`, name || undefined);
};

export interface SqlCondition {
  sql: string;
  params: Array<string | number>;
}

const joinConditions = (parts: SqlCondition[]): SqlCondition => ({
  sql: parts.length === 0 ? '1 = 1' : parts.map((part) => part.sql).join(' AND '),
  params: parts.flatMap((part) => part.params),
});

const entityConditions = (filter: UsageFilter): SqlCondition[] => [
  ...(filter.keyId === undefined ? [] : [{ sql: 'key_id = ?', params: [filter.keyId] }]),
  ...(filter.accountId === undefined ? [] : [{ sql: 'account_id = ?', params: [filter.accountId] }]),
  ...(filter.model === undefined ? [] : [{ sql: 'model = ?', params: [filter.model] }]),
];

/** WHERE clause over usage_daily (day column). */
export const rollupWhere = (filter: UsageFilter): SqlCondition =>
  joinConditions([
    ...entityConditions(filter),
    ...(filter.from === undefined ? [] : [{ sql: 'day >= ?', params: [filter.from] }]),
    ...(filter.to === undefined ? [] : [{ sql: 'day <= ?', params: [filter.to] }]),
  ]);

/** WHERE clause over usage_events (created_at epoch ms; `to` covers its whole day). */
export const eventWhere = (filter: UsageFilter): SqlCondition =>
  joinConditions([
    ...entityConditions(filter),
    ...(filter.from === undefined ? [] : [{ sql: 'created_at >= ?', params: [dayStart(filter.from)] }]),
    ...(filter.to === undefined ? [] : [{ sql: 'created_at < ?', params: [dayStart(filter.to) + DAY_MS] }]),
  ]);
