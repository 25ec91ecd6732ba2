import type { Env } from '../env';
import { dayOf, DAY_MS, dayStart } from './days';
import type { UsageEventRow } from './usage-events';
import type { UsageFilter } from './usage-filter';

/** The columns an archived event keeps: the UsageEventRow readers already know (not the write-path marks). */
const ARCHIVE_COLUMNS =
  'request_id, created_at, account_id, key_id, model, provider_id, upstream_model, client_format, upstream_format, status, error_type, stream, ' +
  'aborted, usage_estimated, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, ttfb_ms';

const PREFIX = 'usage/';

/**
 * Only events the usage fold has counted leave D1 (usage-fold.ts): every event written since the last
 * fold lies at or after pending_from, so the sweep stops there and never reorders, and the watermark
 * check makes it exact within the statement.
 */
const FOLDED = `created_at < COALESCE((SELECT pending_from FROM usage_fold WHERE id = 1), ?1) AND ingest <= (SELECT folded FROM usage_fold WHERE id = 1)`;
const KEY_PATTERN = /^usage\/\d{4}\/\d{2}\/\d{2}\/(\d{13})-(\d{13})-[0-9a-f]{16}\.ndjson$/;

const dayPath = (epochMs: number): string => `${PREFIX}${dayOf(epochMs).replaceAll('-', '/')}/`;
const padded = (epochMs: number): string => String(epochMs).padStart(13, '0');

const hex16 = async (text: string): Promise<string> => {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...digest.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
};

/**
 * `usage/YYYY/MM/DD/<first ms>-<last ms>-<hash of first and last (created_at, request_id)>.ndjson`:
 * the same chunk always gets the same key, so a sweep that runs twice finds its object instead of
 * writing a second one; keys sort by day, then by the chunk's first event.
 */
export const archiveKey = async (first: UsageEventRow, last: UsageEventRow): Promise<string> =>
  `${dayPath(first.created_at)}${padded(first.created_at)}-${padded(last.created_at)}-${await hex16(`${first.created_at}\n${first.request_id}\n${last.created_at}\n${last.request_id}`)}.ndjson`;

const parseNdjson = (text: string): UsageEventRow[] =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as UsageEventRow);

export interface ChunkOutcome {
  /** Rows moved out of D1 (0: nothing older than the cutoff is left). */
  moved: number;
  key?: string;
  /** false when the object was already there (an earlier run stopped between the put and the delete). */
  written?: boolean;
}

/**
 * Moves the oldest raw events before `cutoff` (at most `limit`, all of one UTC day, all folded) to one R2 object,
 * then deletes exactly the rows that object holds. The rows leave D1 only after the object exists;
 * if it already exists, its own content says which rows to delete, so a row that arrived late inside
 * its range stays for the next chunk instead of being deleted unarchived.
 */
export const archiveChunk = async (env: Env, cutoff: number, limit: number): Promise<ChunkOutcome> => {
  const head = await env.DB.prepare(`SELECT created_at FROM usage_events WHERE created_at < ?1 AND ${FOLDED} ORDER BY created_at, request_id LIMIT 1`)
    .bind(cutoff)
    .first<{ created_at: number }>();
  if (head === null) return { moved: 0 };
  const dayEnd = dayStart(dayOf(head.created_at)) + DAY_MS;
  const rows = (
    await env.DB.prepare(`SELECT ${ARCHIVE_COLUMNS} FROM usage_events WHERE created_at < ?1 AND ${FOLDED} ORDER BY created_at, request_id LIMIT ?2`)
      .bind(Math.min(cutoff, dayEnd), limit)
      .all<UsageEventRow>()
  ).results;
  const first = rows[0];
  const last = rows.at(-1);
  if (first === undefined || last === undefined) return { moved: 0 };
  const key = await archiveKey(first, last);
  const existing = await env.USAGE_ARCHIVE.get(key);
  const archived = existing === null ? rows : parseNdjson(await existing.text());
  if (existing === null) {
    await env.USAGE_ARCHIVE.put(key, rows.map((row) => JSON.stringify(row)).join('\n') + '\n', {
      httpMetadata: { contentType: 'application/x-ndjson' },
      customMetadata: { rows: String(rows.length) },
    });
  }
  await env.DB.prepare(
    'DELETE FROM usage_events WHERE (created_at, request_id) IN (SELECT k.value ->> 0, k.value ->> 1 FROM json_each(?1) k)',
  )
    .bind(JSON.stringify(archived.map((row) => [row.created_at, row.request_id])))
    .run();
  return { moved: archived.length, key, written: existing === null };
};

/** Position in the archive: the object and the number of its rows already returned. */
export interface ArchiveCursor {
  key: string;
  row: number;
}

export const encodeArchiveCursor = (cursor: ArchiveCursor): string => `${cursor.key}#${cursor.row}`;

export const decodeArchiveCursor = (raw: string): ArchiveCursor | null => {
  const separator = raw.lastIndexOf('#');
  const row = Number(raw.slice(separator + 1));
  const key = raw.slice(0, separator);
  return separator > 0 && KEY_PATTERN.test(key) && Number.isSafeInteger(row) && row >= 0 ? { key, row } : null;
};

const matches = (row: UsageEventRow, filter: UsageFilter): boolean =>
  (filter.keyId === undefined || row.key_id === filter.keyId) &&
  (filter.accountId === undefined || row.account_id === filter.accountId) &&
  (filter.model === undefined || row.model === filter.model) &&
  (filter.from === undefined || row.created_at >= dayStart(filter.from)) &&
  (filter.to === undefined || row.created_at < dayStart(filter.to) + DAY_MS);

/** Every archive key under `prefix`, in key order (R2 lists lexicographically: by day, then first event). */
const keysUnder = async function* (env: Env, prefix: string, startAfter?: string): AsyncGenerator<string> {
  let cursor: string | undefined;
  do {
    const page = await env.USAGE_ARCHIVE.list({ prefix, ...(cursor === undefined ? (startAfter === undefined ? {} : { startAfter }) : { cursor }) });
    for (const object of page.objects) yield object.key;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
};

/** The day prefixes (`usage/YYYY/MM/DD/`) that hold objects, through the year and month levels: a handful of lists, not one per calendar day. */
const archivedDayPrefixes = async (env: Env): Promise<string[]> => {
  const level = async (prefix: string): Promise<string[]> => {
    const found: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await env.USAGE_ARCHIVE.list({ prefix, delimiter: '/', ...(cursor === undefined ? {} : { cursor }) });
      found.push(...page.delimitedPrefixes);
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor !== undefined);
    return found.sort();
  };
  const days: string[] = [];
  for (const year of await level(PREFIX)) for (const month of await level(year)) days.push(...(await level(month)));
  return days;
};

/** Keys in the requested order from the cursor on: forward with one paginated list, backward day by existing day. */
const keysInOrder = async function* (env: Env, filter: UsageFilter, cursor: ArchiveCursor | null, order: 'asc' | 'desc'): AsyncGenerator<string> {
  if (order === 'asc') {
    // The key just before the cursor's object (or the first day wanted) starts the listing.
    const from = cursor !== null ? cursor.key.slice(0, -1) : filter.from === undefined ? undefined : dayPath(dayStart(filter.from)).slice(0, -1);
    yield* keysUnder(env, PREFIX, from);
    return;
  }
  const lastDay = filter.to === undefined ? null : dayPath(dayStart(filter.to));
  const days = (await archivedDayPrefixes(env)).filter((day) => (lastDay === null || day <= lastDay) && (cursor === null || day <= cursor.key));
  for (const day of days.reverse()) {
    const keys: string[] = [];
    for await (const key of keysUnder(env, day)) keys.push(key);
    yield* keys.reverse();
  }
};

export interface ArchivePage {
  rows: UsageEventRow[];
  /** Where the next page starts; null when the archive has nothing more for this filter. */
  next: ArchiveCursor | null;
}

/**
 * Raw usage events that have left D1, for the CSV export and the request log: up to `limit` rows that
 * match `filter`, after `cursor`, oldest first (`asc`) or newest first (`desc`). Objects are read in
 * key order (day, then first event), rows in their stored order; a day's objects are listed once
 * per call and each object is read only when its time range can hold a match. Everything here is
 * older than what D1 still holds, so a reader streams the archive before (asc) or after (desc) D1.
 */
export const archivedUsageEvents = async (
  env: Env,
  filter: UsageFilter,
  cursor: ArchiveCursor | null,
  limit: number,
  order: 'asc' | 'desc' = 'asc',
): Promise<ArchivePage> => {
  const fromMs = filter.from === undefined ? null : dayStart(filter.from);
  const toMs = filter.to === undefined ? null : dayStart(filter.to) + DAY_MS;
  const rows: UsageEventRow[] = [];
  for await (const key of keysInOrder(env, filter, cursor, order)) {
    const match = KEY_PATTERN.exec(key);
    if (match === null) continue;
    if (cursor !== null && (order === 'asc' ? key < cursor.key : key > cursor.key)) continue;
    const [firstMs, lastMs] = [Number(match[1]), Number(match[2])];
    // Keys sort by the chunk's first event, and a chunk lies within one day: past `to` going forward,
    // or a day before `from` going back, nothing further can match.
    if (order === 'asc' && toMs !== null && firstMs >= toMs) break;
    if (order === 'desc' && fromMs !== null && firstMs + DAY_MS <= fromMs) break;
    if ((fromMs !== null && lastMs < fromMs) || (toMs !== null && firstMs >= toMs)) continue;
    const object = await env.USAGE_ARCHIVE.get(key);
    if (object === null) continue;
    const stored = parseNdjson(await object.text());
    const inOrder = order === 'asc' ? stored : stored.reverse();
    const skip = cursor !== null && key === cursor.key ? cursor.row : 0;
    for (let index = skip; index < inOrder.length; index++) {
      const row = inOrder[index] as UsageEventRow;
      if (!matches(row, filter)) continue;
      rows.push(row);
      if (rows.length === limit) return { rows, next: { key, row: index + 1 } };
    }
  }
  return { rows, next: null };
};
