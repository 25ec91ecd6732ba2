import type { Env } from '../env';
import { archivedUsageEvents, type ArchiveCursor } from './archive';
import { dollarText } from './money';
import { cursorAfter, usageEventPage, type EventCursor, type UsageEventRow } from './usage-events';
import type { UsageFilter } from './usage-filter';

export type CsvValue = string | number | boolean | null;

/** Spreadsheets run a cell that starts with one of these as a formula (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3`). */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;

/**
 * RFC 4180: a field holding a comma, a double quote, CR or LF is enclosed in double quotes, and each
 * double quote inside it is doubled. Records end with CRLF. null is the empty field.
 * Text that a spreadsheet would evaluate (model names and error types come from clients and upstreams)
 * gets a leading `'`, which spreadsheets read as "this is text"; plain numbers such as `-0.25` stay numbers.
 * @see https://www.rfc-editor.org/rfc/rfc4180#section-2
 */
export const csvField = (value: CsvValue): string => {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export const csvRecord = (values: readonly CsvValue[]): string => `${values.map(csvField).join(',')}\r\n`;

export const USAGE_CSV_COLUMNS = [
  'request_id', 'created_at', 'account_id', 'key_id', 'model', 'provider_id', 'upstream_model', 'client_format', 'upstream_format',
  'status', 'error_type', 'stream', 'aborted', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens',
  'reasoning_tokens', 'cost_usd', 'cost_micros', 'latency_ms', 'ttfb_ms', 'usage_estimated',
] as const;

const usageCsvRecord = (row: UsageEventRow): string =>
  csvRecord([
    row.request_id, new Date(row.created_at).toISOString(), row.account_id, row.key_id, row.model, row.provider_id, row.upstream_model,
    row.client_format, row.upstream_format, row.status, row.error_type, row.stream === 1, row.aborted === 1, row.input_tokens,
    row.output_tokens, row.cache_read_tokens, row.cache_write_tokens, row.reasoning_tokens, dollarText(row.cost_micros), row.cost_micros,
    row.latency_ms, row.ttfb_ms, row.usage_estimated === 1,
  ]);

export const CSV_PAGE_ROWS = 1000;

/**
 * The usage CSV as a pull stream: each pull reads one page and emits it as one chunk, only when the
 * reader wants more: first the events already moved to R2 (archive.ts, oldest first), then the raw
 * window still in D1 (keyset pages). Memory holds one page (≈ 1,000 rows, a few hundred KB, plus the
 * archive object being read) however many rows match, and a client that stops reading stops the reads.
 */
export const usageCsvStream = (env: Env, filter: UsageFilter, pageRows = CSV_PAGE_ROWS): ReadableStream<Uint8Array> => {
  const encoder = new TextEncoder();
  let archive: ArchiveCursor | null | 'done' = null;
  let cursor: EventCursor | null = null;
  let header = csvRecord(USAGE_CSV_COLUMNS);
  const emit = (controller: ReadableStreamDefaultController<Uint8Array>, rows: readonly UsageEventRow[]) => {
    const text = header + rows.map(usageCsvRecord).join('');
    header = '';
    if (text !== '') controller.enqueue(encoder.encode(text));
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (archive !== 'done') {
        const page = await archivedUsageEvents(env, filter, archive, pageRows);
        archive = page.next ?? 'done';
        if (page.rows.length > 0) return emit(controller, page.rows);
      }
      const rows = await usageEventPage(env, filter, cursor, pageRows);
      emit(controller, rows);
      cursor = cursorAfter(rows);
      if (rows.length < pageRows) controller.close();
    },
  });
};
