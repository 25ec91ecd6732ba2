import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { CSV_PAGE_ROWS, csvField, csvRecord, USAGE_CSV_COLUMNS } from '../../src/usage/csv';
import { dayOf } from '../../src/usage/days';
import { adminCall, call } from './harness';

/** A strict RFC 4180 reader for checking what the export wrote. */
const parseCsv = (text: string): string[][] => {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    const next = text[index + 1];
    index++;
    if (quoted && char === '"' && next === '"') {
      field += '"';
      index++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (quoted) {
      field += char;
    } else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && next === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      index++;
    } else {
      field += char;
    }
  }
  return records;
};

/** Inserts `count` events for one account in one statement (a recursive CTE), created 1 ms apart. */
const seedEvents = async (accountId: string, count: number, start: number, prefix: string): Promise<void> => {
  await env.DB.prepare(
    `WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < ?1 - 1)
     INSERT INTO usage_events (request_id, account_id, key_id, model, client_format, status, stream, input_tokens, output_tokens,
       cost_micros, latency_ms, created_at)
     SELECT ?2 || printf('%07d', n), ?3, 'key_csv', 'csv-model', 'openai-chat', 200, 0, n, 2 * n, n * 3, 10, ?4 + n FROM seq`,
  )
    .bind(count, prefix, accountId, start)
    .run();
};

const readAll = async (reader: ReadableStreamDefaultReader<Uint8Array>, decoder: TextDecoder) => {
  let text = '';
  let chunks = 0;
  let largest = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: text + decoder.decode(), chunks, largest };
    chunks++;
    largest = Math.max(largest, value.byteLength);
    text += decoder.decode(value, { stream: true });
  }
};

describe('CSV quoting', () => {
  it('quotes fields with commas, quotes, CR or LF and doubles inner quotes (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(null)).toBe('');
    expect(csvField(false)).toBe('false');
    expect(csvRecord(['x', 1, null, 'y,"z"'])).toBe('x,1,,"y,""z"""\r\n');
  });

  it('exports awkward values that read back unchanged', async () => {
    const accountId = `acct_csv_quote_${Date.now()}`;
    const model = 'odd, "model"\r\nname';
    await env.DB.prepare(
      `INSERT INTO usage_events (request_id, account_id, key_id, model, client_format, status, error_type, stream, aborted, cost_micros, created_at)
       VALUES ('req_quote', ?1, 'key_q', ?2, 'anthropic', 499, 'api_error', 1, 1, 1234567, ?3)`,
    )
      .bind(accountId, model, Date.parse('2026-03-04T05:06:07.890Z'))
      .run();
    const response = await adminCall('GET', `/usage.csv?accountId=${accountId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    const [header, row, ...rest] = parseCsv(await response.text());
    expect(header).toEqual([...USAGE_CSV_COLUMNS]);
    expect(rest).toEqual([]);
    const record = Object.fromEntries((header ?? []).map((name, index) => [name, row?.[index]]));
    expect(record).toMatchObject({
      request_id: 'req_quote',
      created_at: '2026-03-04T05:06:07.890Z',
      model,
      provider_id: '',
      status: '499',
      stream: 'true',
      aborted: 'true',
      cost_usd: '1.234567',
      cost_micros: '1234567',
    });
  });
});

describe('GET /admin/usage.csv', () => {
  it('streams 100,000 rows page by page, not buffered', async () => {
    const accountId = `acct_csv_big_${Date.now()}`;
    const start = Date.parse('2026-01-01T00:00:00Z');
    await seedEvents(accountId, 100_000, start, 'req_big_');
    const started = performance.now();
    const response = await adminCall('GET', `/usage.csv?accountId=${accountId}`);
    const reader = (response.body ?? new ReadableStream<Uint8Array>()).getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    const firstText = decoder.decode(first.value, { stream: true });
    const firstMs = performance.now() - started;
    // The first chunk is the header and one page; rows written after it was read still appear,
    // which only happens if later pages are read from D1 after the response began.
    expect(parseCsv(firstText)).toHaveLength(1 + CSV_PAGE_ROWS);
    await seedEvents(accountId, 5, start + 200_000, 'req_late_');
    const rest = await readAll(reader, decoder);
    const totalMs = performance.now() - started;
    const records = parseCsv(firstText + rest.text).slice(1);
    expect(records).toHaveLength(100_005);
    expect(records.at(-1)?.[0]).toBe('req_late_0000004');
    const createdAt = records.map((record) => Date.parse(record[1] ?? ''));
    expect(createdAt.every((value, index) => index === 0 || value > (createdAt[index - 1] ?? 0))).toBe(true);
    expect(rest.largest).toBeLessThan(256 * 1024);
    console.log(
      `[figure] usage CSV: 100,005 rows, ${rest.chunks + 1} chunks, largest ${Math.round(rest.largest / 1024)} KiB, ` +
        `first chunk after ${firstMs.toFixed(0)} ms, all after ${totalMs.toFixed(0)} ms`,
    );
  });

  it('filters by model and day range, and refuses bad filters', async () => {
    const accountId = `acct_csv_filter_${Date.now()}`;
    const dayOne = Date.parse('2026-02-10T12:00:00Z');
    await seedEvents(accountId, 3, dayOne, 'req_f1_');
    await seedEvents(accountId, 2, dayOne + 86_400_000, 'req_f2_');
    const lines = async (query: string) => parseCsv(await (await adminCall('GET', `/usage.csv?accountId=${accountId}${query}`)).text()).length - 1;
    expect(await lines('')).toBe(5);
    expect(await lines(`&from=${dayOf(dayOne)}&to=${dayOf(dayOne)}`)).toBe(3);
    expect(await lines(`&from=${dayOf(dayOne + 86_400_000)}`)).toBe(2);
    expect(await lines('&model=other')).toBe(0);
    expect((await adminCall('GET', '/usage.csv?from=2026-02-30')).status).toBe(400);
    expect((await adminCall('GET', '/usage.csv?from=2026-02-11&to=2026-02-10')).status).toBe(400);
    expect((await adminCall('GET', '/usage.csv?acount=x')).status).toBe(400);
    expect((await call('/admin/usage.csv')).status).toBe(401);
  });
});
